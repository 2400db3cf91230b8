import { activationArg, checkSequence, formatShape, MAX_DIM } from './common';
import { engineActivation, type BuildContext, type EngineLayer } from './engine';
import { code, pyCall, torchActivation, type TorchContext, type TorchForm } from './torch';
import type { ArgSpec, Args, LayerEntry, NestedLayer } from './types';

const unitsArg: ArgSpec = { name: 'units', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Size h of the hidden state (features per output step).' };

const returnSequencesArg: ArgSpec = {
  name: 'return_sequences',
  type: 'bool',
  default: false,
  doc: '`true`: output the hidden state of every step, `[T, units]` (to stack recurrent or attention layers); `false`: only the last one, `[units]`.',
};

export const embedding: LayerEntry = {
  kind: 'layer',
  name: 'embedding',
  family: 'sequence',
  summary: 'Looks up a learned vector for each token id.',
  doc: [
    'Replaces each token id (a whole number in [0, vocab)) by a learned vector of `dim` features: `[T]` → `[T, dim]`.',
    'The first embedding of a model is the one a `dense(..., tied: true)` output shares its weights with.',
    '',
    '**Params**: vocab·dim.',
    '**MACs**: 0 (a table look-up, not a multiply-accumulate).',
    '**PyTorch**: the helper `TokenEmbedding(vocab, dim)`, an `nn.Embedding` that takes ids stored as floats, initialised uniform in ±0.05 as Keras does.',
  ].join('\n'),
  args: [
    { name: 'vocab', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Number of distinct token ids; ids must lie in [0, vocab).' },
    { name: 'dim', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Features of each token vector (the model width).' },
  ],
  inputRanks: [1],
  infer(ctx) {
    const { input, args } = ctx;
    if (input.length !== 1) {
      // A real-valued sequence or image here usually means the data is not token ids at all.
      const fix =
        input.length === 2
          ? `a [T, F] sequence of real values goes straight to lstm/gru or multihead_attention without an embedding`
          : `reshape the token ids to a single axis [T]`;
      ctx.report({
        code: 'rank-mismatch',
        message: `embedding looks up one token id per position and needs a 1-D [T] input, but receives ${formatShape(input)}; ${fix}.`,
        data: { expectedRanks: [1], actual: input.length },
      });
      return undefined;
    }
    const vocab = args.vocab as number;
    const dim = args.dim as number;
    return { output: [input[0], dim], trainable: BigInt(vocab) * BigInt(dim), nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    const vocab = b.args.vocab as number;
    const dim = b.args.dim as number;
    if (b.sharedWithOutput) return b.custom.sharedEmbedding({ name: b.name, vocab, dim });
    return b.tf.layers.embedding({ name: b.name, inputDim: vocab, outputDim: dim });
  },
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall(t.helper('TokenEmbedding'), [t.args.vocab, t.args.dim])] }),
};

export const positional_embedding: LayerEntry = {
  kind: 'layer',
  name: 'positional_embedding',
  family: 'sequence',
  summary: 'Adds a learned vector to each position of a sequence (learned absolute positions, as in GPT-2).',
  doc: [
    'Adds a learned vector for each position 0…T−1 to a `[T, d]` sequence, so that later layers (attention in particular, which ignores order) know where each token is.',
    'Shape unchanged: `[T, d]` → `[T, d]`; T must not exceed `max_len`.',
    '',
    '**Params**: max_len·d (the whole table is learned even when T < max_len).',
    '**MACs**: 0 (an addition, not a multiply-accumulate).',
    '**PyTorch**: the helper `PositionalEmbedding(max_len, d)`, an `nn.Parameter` table of max_len rows.',
  ].join('\n'),
  args: [{ name: 'max_len', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Longest sequence the table has positions for (the context length).' }],
  inputRanks: [2],
  infer(ctx) {
    if (!checkSequence(ctx, 'positional_embedding', 'pixels')) return undefined;
    const [steps, width] = ctx.input;
    const maxLen = ctx.args.max_len as number;
    if (steps > maxLen) {
      // The shape is still well defined, so inference continues and later layers are checked too.
      ctx.report({
        code: 'sequence-too-long',
        arg: 'max_len',
        message: `The sequence has ${steps} positions but positional_embedding has only max_len: ${maxLen}; set max_len to at least ${steps} or shorten the input.`,
        data: { length: steps, maxLen },
      });
    }
    return { output: [steps, width], trainable: BigInt(maxLen) * BigInt(width), nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    const maxLen = b.args.max_len as number;
    // Inference goes on past this (an error) to check later layers; the engine cannot.
    if (b.input[0] > maxLen) return b.unsupported(`the sequence has ${b.input[0]} positions but max_len is ${maxLen}.`);
    return b.custom.positionalEmbedding({ name: b.name, maxLen });
  },
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall(t.helper('PositionalEmbedding'), [t.args.max_len, t.input[1]])] }),
};

interface RecurrentSpec {
  readonly name: 'simple_rnn' | 'lstm' | 'gru';
  readonly gates: number;
  readonly summary: string;
  readonly what: string;
  readonly paramsDoc: string;
  readonly extraArgs: readonly ArgSpec[];
  readonly build: (b: BuildContext) => EngineLayer;
  /** The PyTorch module and its count, for the docs. */
  readonly torchDoc: string;
  /** Bias vectors per gate in TensorFlow.js and in PyTorch, for these arguments. */
  readonly biases: (args: Args) => { readonly tfjs: bigint; readonly torch: bigint };
}

/** Keras and TensorFlow.js keep one bias per gate; PyTorch's nn.RNN and nn.LSTM add the input and the recurrent product's separately. */
const tfjsOneTorchTwo = () => ({ tfjs: 1n, torch: 2n });

/**
 * PyTorch's recurrent module for a use (batch first), bidirectional when asked. nn.RNN has
 * only tanh and relu; other activations get the helper ElmanRNN, which counts the same.
 */
function torchRecurrentModule(t: TorchContext, name: string, args: Args, bidirectional: boolean): string {
  const features = t.input[t.input.length - 1];
  const both = bidirectional ? true : undefined;
  const units = args.units as number;
  if (name === 'lstm') return pyCall('nn.LSTM', [features, units], { batch_first: true, bidirectional: both });
  if (name === 'gru') {
    // nn.GRU is the reset-after form only; the original one gets a helper with its single bias.
    if (args.reset_after === false) return pyCall(t.helper('ResetBeforeGRU'), [features, units], { bidirectional: both });
    return pyCall('nn.GRU', [features, units], { batch_first: true, bidirectional: both });
  }
  const activation = args.activation as string;
  if (activation === 'tanh' || activation === 'relu') {
    return pyCall('nn.RNN', [features, units], { nonlinearity: activation === 'relu' ? 'relu' : undefined, batch_first: true, bidirectional: both });
  }
  const [module = 'nn.Identity()'] = torchActivation(activation, 'channels_last', 1);
  return pyCall(t.helper('ElmanRNN'), [features, units, code(module)], { bidirectional: both });
}

/** The Recurrent helper keeps what the `.model` layer outputs: every step, or the last (both directions merged as Keras does). */
function torchRecurrent(t: TorchContext, layer: { readonly entry: { readonly name: string }; readonly args: Args }, mergeMode?: string): TorchForm {
  const rnn = code(torchRecurrentModule(t, layer.entry.name, layer.args, mergeMode !== undefined));
  const sequences = layer.args.return_sequences ? true : undefined;
  const merge = mergeMode !== undefined && mergeMode !== 'concat' ? mergeMode : undefined;
  return { layout: 'channels_last', modules: [pyCall(t.helper('Recurrent'), [rnn], { return_sequences: sequences, merge_mode: merge })] };
}

/** The three recurrent layers differ only in their gate count; shape rules and messages are shared. */
function recurrent(spec: RecurrentSpec): LayerEntry {
  const gates = BigInt(spec.gates);
  const per = spec.gates === 1 ? '' : `${spec.gates}·`;
  return {
    kind: 'layer',
    name: spec.name,
    family: 'sequence',
    summary: spec.summary,
    doc: [
      spec.what,
      '`[T, F]` → `[units]`, or `[T, units]` with `return_sequences: true`.',
      '',
      `**Params**: ${spec.paramsDoc}.`,
      `**MACs**: ${per}T·(F·h + h·h): input and recurrent products of ${spec.gates === 1 ? 'the one gate' : `each of the ${spec.gates} gates`} at every step (bias and activations not counted).`,
      `**PyTorch**: ${spec.torchDoc}. Batch first, in the helper \`Recurrent\`, which keeps every step or the last.`,
    ].join('\n'),
    args: [unitsArg, returnSequencesArg, ...spec.extraArgs],
    inputRanks: [2],
    infer(ctx) {
      if (!checkSequence(ctx, spec.name, 'rows')) return undefined;
      const [steps, features] = ctx.input;
      const units = ctx.args.units as number;
      const f = BigInt(features);
      const h = BigInt(units);
      const biases = spec.biases(ctx.args);
      const trainable = gates * (f * h + h * h + biases.tfjs * h);
      const torchTrainable = gates * (f * h + h * h + biases.torch * h);
      return {
        output: ctx.args.return_sequences ? [steps, units] : [units],
        trainable,
        nonTrainable: 0n,
        macs: gates * BigInt(steps) * (f * h + h * h),
        ...(torchTrainable === trainable ? {} : { torchTrainable }),
      };
    },
    build: spec.build,
    torch: (t) => torchRecurrent(t, { entry: { name: spec.name }, args: t.args }),
  };
}

export const simple_rnn = recurrent({
  name: 'simple_rnn',
  gates: 1,
  summary: 'Plain recurrent layer: h_t = activation(W·x_t + U·h_{t−1} + b).',
  what: 'Reads a sequence step by step, carrying a hidden state of `units` features: h_t = activation(W·x_t + U·h_{t−1} + b). Cheap, but forgets over long sequences; prefer `lstm` or `gru` beyond a few dozen steps.',
  paramsDoc: 'F·h + h·h + h (input kernel, recurrent kernel, bias), h = units',
  torchDoc: "`nn.RNN(F, h)` (tanh or relu; any other activation: the helper `ElmanRNN`, with nn.RNN's weights): F·h + h·h + 2h parameters, as it keeps an input and a recurrent bias",
  biases: tfjsOneTorchTwo,
  extraArgs: [{ ...activationArg, default: 'tanh', doc: 'Activation of the hidden state (`tanh` as in Keras; `relu` can explode on long sequences).' }],
  build: (b) =>
    b.tf.layers.simpleRNN({
      name: b.name,
      units: b.args.units as number,
      returnSequences: b.args.return_sequences as boolean,
      activation: engineActivation(b.args.activation),
    }),
});

export const lstm = recurrent({
  name: 'lstm',
  gates: 4,
  summary: 'Long short-term memory: a recurrent layer with input, forget and output gates and a cell state.',
  what: 'Long short-term memory (Hochreiter & Schmidhuber, 1997): input, forget and output gates and a candidate cell state let it keep information over long sequences. Activations tanh and sigmoid, as in Keras.',
  paramsDoc: '4·(F·h + h·h + h), h = units (Keras and TensorFlow.js; PyTorch keeps two bias vectors, 4·(F·h + h·h + 2h))',
  torchDoc: '`nn.LSTM(F, h)`: 4·(F·h + h·h + 2h) parameters, as it keeps an input and a recurrent bias per gate',
  biases: tfjsOneTorchTwo,
  extraArgs: [],
  // tfjs defaults the gates to hard_sigmoid (Keras 1); the documented layer uses sigmoid.
  build: (b) =>
    b.tf.layers.lstm({ name: b.name, units: b.args.units as number, returnSequences: b.args.return_sequences as boolean, recurrentActivation: 'sigmoid' }),
});

export const gru = recurrent({
  name: 'gru',
  gates: 3,
  summary: 'Gated recurrent unit: a lighter LSTM with update and reset gates.',
  what: [
    'Gated recurrent unit (Cho et al., 2014): update and reset gates, no separate cell state; usually close to `lstm` in accuracy with 3/4 of its weights.',
    '`reset_after: true` (the default, as in Keras 2 and 3 and PyTorch\'s `nn.GRU`): the candidate is tanh(x·Wh + bh + r ⊙ (h·Uh + b′h)), so the recurrent product keeps a bias of its own and every gate has two. `reset_after: false`: the original form, tanh(x·Wh + (r ⊙ h)·Uh + bh), one bias per gate (Keras 1, and the only form TensorFlow.js 4.22\'s own GRU implements). Both engines train the variant written, with the same weights.',
  ].join(' '),
  paramsDoc: '3·(F·h + h·h + 2h) with `reset_after: true`, 3·(F·h + h·h + h) with `reset_after: false`, h = units; the same in TensorFlow.js and PyTorch',
  torchDoc:
    "`nn.GRU(F, h)` for `reset_after: true` (PyTorch's GRU is that form); for `reset_after: false` the helper `ResetBeforeGRU(F, h)`, the original GRU with one bias per gate, stepped in Python (slower than nn.GRU's fused kernels on long sequences)",
  extraArgs: [
    {
      name: 'reset_after',
      type: 'bool',
      default: true,
      doc: '`true`: apply the reset gate after the recurrent product, two bias vectors per gate (Keras\'s default, PyTorch\'s nn.GRU); `false`: before it, one bias per gate (the original GRU).',
    },
  ],
  biases: (args) => (args.reset_after === false ? { tfjs: 1n, torch: 1n } : { tfjs: 2n, torch: 2n }),
  // TensorFlow.js's own GRU throws for reset_after: true, so that form is a custom cell in tfjs's RNN layer.
  build: (b) =>
    b.args.reset_after === false
      ? b.tf.layers.gru({ name: b.name, units: b.args.units as number, returnSequences: b.args.return_sequences as boolean, recurrentActivation: 'sigmoid' })
      : b.custom.resetAfterGRU({ name: b.name, units: b.args.units as number, returnSequences: b.args.return_sequences as boolean }),
});

export const bidirectional: LayerEntry = {
  kind: 'layer',
  name: 'bidirectional',
  family: 'sequence',
  summary: 'Runs a recurrent layer forwards and backwards over the sequence and merges both outputs.',
  doc: [
    'Runs a copy of the wrapped recurrent layer over the reversed sequence next to the original, so that each output sees both past and future steps, e.g. `bidirectional(lstm(64, return_sequences: true))`.',
    "Shape: the wrapped layer's output with the last axis doubled for `merge_mode: concat` (`[T, F]` → `[2·units]` or `[T, 2·units]`), unchanged for `sum`, `mul` and `ave`.",
    '',
    '**Params**: 2 × the wrapped layer (two independent copies).',
    '**MACs**: 2 × the wrapped layer (merging is element-wise, not counted).',
    "**PyTorch**: the wrapped module with `bidirectional=True` in the helper `Recurrent`, which merges the directions as Keras does (the backward direction's last output is the one at step 0).",
  ].join('\n'),
  args: [
    {
      name: 'layer',
      type: 'layer',
      required: true,
      layers: ['simple_rnn', 'lstm', 'gru'],
      doc: 'The recurrent layer to run in both directions: `simple_rnn(...)`, `lstm(...)` or `gru(...)`.',
    },
    {
      name: 'merge_mode',
      type: 'enum',
      values: ['concat', 'sum', 'mul', 'ave'],
      default: 'concat',
      doc: 'How the two directions combine: `concat` (features side by side, last axis doubled), or element-wise `sum`, `mul`, `ave`.',
    },
  ],
  inputRanks: [2],
  infer(ctx) {
    const layer = ctx.args.layer as NestedLayer;
    const inner = ctx.inferNested(layer, ctx.input);
    if (!inner) return undefined;
    const output = [...inner.output];
    if (ctx.args.merge_mode === 'concat') {
      const last = output.length - 1;
      if (output[last] * 2 > MAX_DIM) {
        ctx.report({
          code: 'size-overflow',
          arg: 'layer',
          message: `bidirectional with merge_mode: concat would make an axis of ${output[last] * 2} features, more than any tensor axis can hold (at most 2^40); use fewer units or merge_mode: sum.`,
        });
        return undefined;
      }
      output[last] *= 2;
    }
    return {
      output,
      trainable: 2n * inner.trainable,
      nonTrainable: 2n * inner.nonTrainable,
      macs: 2n * inner.macs,
      torchTrainable: 2n * (inner.torchTrainable ?? inner.trainable),
    };
  },
  build(b) {
    const inner = b.nested(b.args.layer as NestedLayer, b.input);
    if (!(inner instanceof b.tf.RNN)) throw new Error('bidirectional wraps a recurrent layer, but its argument did not build one.');
    return b.tf.layers.bidirectional({ name: b.name, layer: inner, mergeMode: b.args.merge_mode as 'concat' | 'sum' | 'mul' | 'ave' });
  },
  torch: (t) => torchRecurrent(t, t.args.layer as NestedLayer, t.args.merge_mode as string),
};

export const sequenceEntries: LayerEntry[] = [embedding, positional_embedding, simple_rnn, lstm, gru, bidirectional];
