import { basename } from 'node:path';
import type { ModelAnalysis } from '../analysis/model';
import { ExportError, type SourceText } from './source';
import { commonFunctions, docText, fillTemplate } from './templates';

/** model.py of a classical model: `build_model()` returns the scikit-learn estimator with the spec's hyperparameters. */
export function sklearnModelPy(model: ModelAnalysis, spec: SourceText, version: string, trainSamples: number): string {
  const estimator = model.estimator;
  if (model.kind !== 'classical' || !estimator) {
    throw new ExportError(`${model.name} is not a classical model; models of layers export to PyTorch (--to pytorch).`, model.decl.name.range);
  }
  const form = estimator.entry.sklearn({ args: estimator.args, seed: model.train.seed, trainSamples });
  const line = estimator.range.start.line + 1;
  const doc = [
    `${model.name}, exported by Modelspec ${version} from ${basename(spec.file)} (model on line ${model.decl.name.range.start.line + 1}).`,
    '',
    `build_model() returns the scikit-learn estimator of line ${line}: ${spec.snippet(estimator.range)}`,
    ...form.notes,
    'Samples reach it as flat vectors of features (train.py flattens them).',
  ].join('\n');
  return [`"""${docText(doc)}"""`, ...form.imports, '', '', 'def build_model():', `    return ${form.expression}`, ''].join('\n');
}

export function sklearnTrainPy(model: ModelAnalysis, spec: SourceText): string {
  const doc = [
    `Fits ${model.name} (${basename(spec.file)}) with scikit-learn and writes OUT/metrics.json, model.pkl and predictions.npy.`,
    '',
    'python train.py [--out RUN_DIR]',
  ].join('\n');
  return fillTemplate('sklearn_train.py', { DOC: docText(doc), COMMON: commonFunctions(['macro_f1', 'write_json', 'Events', 'Stop']) });
}

export function sklearnReadme(model: ModelAnalysis, spec: SourceText, hasData: boolean): string {
  const file = basename(spec.file);
  return `# ${model.name} — scikit-learn project

Exported by Modelspec from \`${file}\`. It needs Python 3, scikit-learn and numpy, nothing else.

| file | what it holds |
| --- | --- |
| \`model.py\` | \`build_model()\`: the estimator with the hyperparameters of \`${file}\` |
| \`data.py\` | ${hasData ? `the dataset \`${model.dataset?.name}\` exactly as Modelspec prepares it (split and normalisation), from the arrays in \`data/\`` : 'random placeholder samples: the spec names no dataset; replace `load_splits()` with your data'} |
| \`train.py\` | fits on the training split, evaluates on the test split, writes \`RUN_DIR/metrics.json\`, \`model.pkl\` and \`predictions.npy\` |

\`\`\`sh
python train.py            # results in ./run
python train.py --out run2
\`\`\`

\`run/metrics.json\` holds accuracy and macro F1 on the test split, the number of learned
values (as Modelspec counts them), fit time and the inference time per sample.
`;
}
