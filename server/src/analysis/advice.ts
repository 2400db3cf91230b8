import { formatShape } from '../catalog/common';
import { formatBytes } from '../util/format';
import type { DiagnosticSink } from './diagnostics';
import type { LayerRow, ModelAnalysis } from './model';

/** Beyond this ratio of parameters to training samples a small model is worth comparing. */
const OVERPARAMETERIZED_RATIO = 100n;
/** A trillion parameters: beyond every model trained so far; surely a typo. */
const HUGE_PARAMS = 10n ** 12n;

const PASS_THROUGH = new Set(['dropout', 'flatten', 'reshape']);

/** The activation the model ends with, looking past layers that do not change values. */
export function lastActivation(rows: readonly LayerRow[]): { activation: string; row: LayerRow } | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row.kind !== 'layer' || !row.entry) continue;
    if (PASS_THROUGH.has(row.entry.name)) continue;
    if (row.entry.family === 'activation') {
      return { activation: row.entry.name === 'activation' ? String(row.args?.name) : row.entry.name, row };
    }
    return { activation: typeof row.args?.activation === 'string' ? row.args.activation : 'linear', row };
  }
  return undefined;
}

function lastUnitsRow(rows: readonly LayerRow[]): LayerRow | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row.kind === 'layer' && row.entry && !PASS_THROUGH.has(row.entry.name) && row.entry.family !== 'activation') {
      return typeof row.args?.units === 'number' ? row : undefined;
    }
  }
  return undefined;
}

export function adviseNeural(m: ModelAnalysis, diags: DiagnosticSink): void {
  const classes = m.classes;
  const out = m.outputShape;
  const loss = m.train.loss;
  const lossRange = m.train.section?.props.find((p) => p.key.name === 'loss')?.value.range ?? m.train.section?.keyword ?? m.decl.name.range;
  const last = lastActivation(m.rows);
  const classification = loss.includes('crossentropy') || loss === 'hinge';

  if (classes !== undefined && out && out.length === 1 && classification) {
    const units = out[0];
    const binaryOk = units === 1 && classes === 2;
    if (units !== classes && !binaryOk) {
      const row = lastUnitsRow(m.rows);
      const range = row?.argRanges?.get('units') ?? row?.range ?? m.decl.name.range;
      diags.add(
        'output-classes',
        `The model ends with ${units} output${units === 1 ? '' : 's'} but ${m.dataset ? `${m.dataset.name} has` : 'the model declares'} ${classes} classes; set the last layer's units to ${classes}.`,
        range,
        { expected: classes, suggestions: [String(classes)] },
      );
    }
  }

  if (last) {
    const act = last.activation;
    const range = last.row.argRanges?.get('activation') ?? last.row.range;
    if (loss === 'binary_crossentropy') {
      if (act === 'softmax') {
        diags.add(
          'softmax-binary-loss',
          `binary_crossentropy expects independent sigmoid outputs, but the model ends in softmax; use activation: sigmoid with 1 unit, or loss: sparse_categorical_crossentropy with softmax.`,
          range,
          { expected: 'sigmoid' },
        );
      } else if (act !== 'sigmoid') {
        diags.add('loss-activation', `binary_crossentropy expects probabilities from a sigmoid, but the last activation is ${act}; set activation: sigmoid.`, range, { expected: 'sigmoid' });
      }
      if (classes !== undefined && classes > 2) {
        diags.add('loss-labels', `binary_crossentropy fits two classes, but the data has ${classes}; use sparse_categorical_crossentropy with a softmax output of ${classes} units.`, lossRange, {
          expected: 'sparse_categorical_crossentropy',
        });
      }
    } else if (loss === 'sparse_categorical_crossentropy' || loss === 'categorical_crossentropy') {
      if (act !== 'softmax') {
        diags.add('loss-activation', `${loss} expects class probabilities from a softmax, but the last activation is ${act}; set activation: softmax.`, range, { expected: 'softmax' });
      }
      if (loss === 'categorical_crossentropy' && m.dataset?.labels) {
        diags.add('loss-labels', `categorical_crossentropy expects one-hot labels, but ${m.dataset.name} has class indices; use sparse_categorical_crossentropy.`, lossRange, {
          expected: 'sparse_categorical_crossentropy',
        });
      }
    } else if ((loss === 'mse' || loss === 'mae') && classes !== undefined && (act === 'softmax' || act === 'sigmoid')) {
      diags.add('loss-activation', `${loss} is a regression loss, but the model ends in ${act} for ${classes} classes; use a cross-entropy loss.`, lossRange, {
        expected: act === 'softmax' ? 'sparse_categorical_crossentropy' : 'binary_crossentropy',
      });
    }
  }
  adviseSize(m, diags);
}

export function adviseSize(m: ModelAnalysis, diags: DiagnosticSink): void {
  const total = m.totals.total;
  if (total > HUGE_PARAMS) {
    diags.add(
      'huge-model',
      `${m.name} has ${total.toLocaleString('en-US')} parameters (${formatBytes(total * 4n)} of fp32 weights), beyond any model trained so far; check the layer sizes and repeat counts.`,
      m.decl.name.range,
    );
  }
  const samples = m.dataset?.trainSamples;
  if (samples && m.kind === 'neural' && total > BigInt(samples) * OVERPARAMETERIZED_RATIO) {
    diags.add(
      'overparameterized',
      `${m.name} has ${total.toLocaleString('en-US')} parameters for ${samples.toLocaleString('en-US')} training samples (${(total / BigInt(samples)).toLocaleString('en-US')} per sample): it will likely overfit. Try a smaller model or a classical one, and measure both with \`compare\`.`,
      m.decl.name.range,
    );
  }
}

export function adviseClassicalInput(m: ModelAnalysis, flattened: boolean, estimatorRange: ModelAnalysis['decl']['range'], diags: DiagnosticSink): void {
  const input = m.inputShape;
  if (!input || input.length <= 1 || flattened) return;
  diags.add(
    'classical-image-input',
    `${m.estimator?.entry.name ?? 'This estimator'} receives ${formatShape(input)}-shaped samples and treats each of the ${input.reduce((a, b) => a * b, 1)} values as an unrelated feature, losing the spatial structure; write \`flatten\` before it to make that explicit, or compare with a CNN.`,
    estimatorRange,
    { fix: 'insert-flatten' },
  );
}
