import { formatShape } from '../catalog/common';
import { formatBytes } from '../util/format';
import type { LayerEntry, NestedLayer } from '../catalog/types';
import type { DiagnosticData, DiagnosticSink } from './diagnostics';
import type { LayerRow, ModelAnalysis } from './model';

/** Beyond this ratio of parameters to training samples a small model is worth comparing. */
const OVERPARAMETERIZED_RATIO = 100n;
/** A trillion parameters: beyond every model trained so far; surely a typo. */
const HUGE_PARAMS = 10n ** 12n;

const PASS_THROUGH = new Set(['dropout', 'flatten', 'reshape']);

/** Families whose `activation` argument is applied to the layer's output (in others it is internal: an RNN's state, a transformer's MLP). */
const OUTPUT_ACTIVATION_FAMILIES = new Set(['dense', 'convolution']);

/** What the model's values pass through last, and whether the fix is to change that layer or to add an output layer after it. */
export interface OutputOp {
  /** An activation name, or 'linear' for an op without one. */
  readonly activation: string;
  readonly row: LayerRow;
  /** How the message names what the model ends in: "gelu", "lstm, whose output is its hidden state (tanh, between −1 and 1)". */
  readonly describe: string;
  /** True when the activation is set by this layer (an activation layer or an output `activation` argument): the fix edits it. */
  readonly settable: boolean;
}

/** The real last op of the model, looking past layers that do not change values. */
export function lastActivation(rows: readonly LayerRow[]): OutputOp | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (row.kind !== 'layer' || !row.entry) continue;
    if (PASS_THROUGH.has(row.entry.name)) continue;
    return outputOp(row);
  }
  return undefined;
}

function outputOp(row: LayerRow): OutputOp {
  const entry = row.entry!;
  const args = row.args ?? {};
  if (entry.family === 'activation') {
    const activation = entry.name === 'activation' ? String(args.name) : entry.name;
    return { activation, row, describe: activation, settable: true };
  }
  if (setsOutputActivation(entry)) {
    const activation = typeof args.activation === 'string' ? args.activation : 'linear';
    return { activation, row, describe: activation, settable: true };
  }
  const wrapped = entry.name === 'bidirectional' && isNested(args.layer) ? args.layer : undefined;
  const recurrent = wrapped ? wrapped.entry.name : entry.name;
  const recurrentArgs = wrapped ? wrapped.args : args;
  const through = wrapped ? `bidirectional(${recurrent})` : recurrent;
  if (recurrent === 'lstm' || recurrent === 'gru') {
    // LSTM: h = o·tanh(c); GRU: h mixes the previous state with a tanh candidate. Either way a tanh-bounded state.
    return { activation: 'tanh', row, describe: `${through}, whose output is its hidden state (tanh-bounded, between −1 and 1)`, settable: false };
  }
  if (recurrent === 'simple_rnn') {
    const activation = typeof recurrentArgs.activation === 'string' ? recurrentArgs.activation : 'tanh';
    return { activation, row, describe: `${through}, whose output is its hidden state (${activation})`, settable: false };
  }
  if (entry.name === 'transformer_block') {
    const what = args.norm === 'post' ? 'a layer norm' : 'a residual sum';
    return { activation: 'linear', row, describe: `transformer_block, whose output is ${what} (its ${String(args.activation ?? 'gelu')} is inside its MLP)`, settable: false };
  }
  return { activation: 'linear', row, describe: `${entry.name} (no activation)`, settable: false };
}

/** Whether the layer's `activation` argument is its output's: the one argument a loss-activation fix may write. */
export function setsOutputActivation(entry: LayerEntry): boolean {
  return OUTPUT_ACTIVATION_FAMILIES.has(entry.family) && entry.args.some((a) => a.name === 'activation');
}

function isNested(v: unknown): v is NestedLayer {
  return typeof v === 'object' && v !== null && 'entry' in v && 'args' in v;
}

/**
 * The diagnostic data and advice of a wrong output: edit the layer's activation, or add an
 * output layer after it. A dataset labels whole samples, so an output that is still a
 * sequence or an image (rank > 1) is pooled first; a model without one (a language model
 * declaring `classes`) may mean one prediction per position.
 */
function outputFix(m: ModelAnalysis, last: OutputOp, activation: 'softmax' | 'sigmoid'): { readonly data: DiagnosticData; readonly advice: string } {
  if (last.settable) return { data: { expected: activation }, advice: `set activation: ${activation}` };
  const units = activation === 'sigmoid' ? 1 : m.classes;
  const pool = m.dataset !== undefined && (m.outputShape?.length ?? 1) > 1 ? ['global_avgpool'] : [];
  const dense = `dense(${units ?? 'classes'}, activation: ${activation})`;
  const advice = `add ${[...pool, dense].map((l) => `\`${l}\``).join(' and ')} after it`;
  if (units === undefined) return { data: { expected: activation }, advice };
  return { data: { expected: activation, fix: 'add-output-layer', layers: [...pool, dense] }, advice };
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
  // A recurrent, attention or pooling ending gets an output layer of `classes` units from
  // loss-activation's advice: its own width is not the output to resize.
  const addsOutput =
    last !== undefined && !last.settable && (loss === 'binary_crossentropy' ? last.activation !== 'sigmoid' : loss.endsWith('categorical_crossentropy') && last.activation !== 'softmax');

  if (classes !== undefined && out && out.length === 1 && classification && !addsOutput) {
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
    // An output argument is pointed at; a layer that cannot take the fix is pointed at whole.
    const range = (last.settable && last.row.argRanges?.get('activation')) || last.row.range;
    if (loss === 'binary_crossentropy') {
      if (act === 'softmax') {
        diags.add(
          'softmax-binary-loss',
          `binary_crossentropy expects independent sigmoid outputs, but the model ends in softmax; use activation: sigmoid with 1 unit, or loss: sparse_categorical_crossentropy with softmax.`,
          range,
          { expected: 'sigmoid' },
        );
      } else if (act !== 'sigmoid') {
        const fix = outputFix(m, last, 'sigmoid');
        diags.add('loss-activation', `binary_crossentropy expects probabilities from a sigmoid, but the model ends in ${last.describe}; ${fix.advice}.`, range, fix.data);
      }
      if (classes !== undefined && classes > 2) {
        diags.add('loss-labels', `binary_crossentropy fits two classes, but the data has ${classes}; use sparse_categorical_crossentropy with a softmax output of ${classes} units.`, lossRange, {
          expected: 'sparse_categorical_crossentropy',
        });
      }
    } else if (loss === 'sparse_categorical_crossentropy' || loss === 'categorical_crossentropy') {
      if (act !== 'softmax') {
        const fix = outputFix(m, last, 'softmax');
        diags.add('loss-activation', `${loss} expects class probabilities from a softmax, but the model ends in ${last.describe}; ${fix.advice}.`, range, fix.data);
      }
      if (loss === 'categorical_crossentropy' && m.dataset?.labels) {
        diags.add('loss-labels', `categorical_crossentropy expects one-hot labels, but ${m.dataset.name} has class indices; use sparse_categorical_crossentropy.`, lossRange, {
          expected: 'sparse_categorical_crossentropy',
        });
      }
    } else if ((loss === 'mse' || loss === 'mae') && classes !== undefined && last.settable && (act === 'softmax' || act === 'sigmoid')) {
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
