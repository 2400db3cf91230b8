import { checkSequence, MAX_DIM } from './common';
import type { BuildContext } from './engine';
import { pyCall, type TorchContext } from './torch';
import type { ArgSpec, InferContext, LayerEntry } from './types';

const headsArg: ArgSpec = { name: 'heads', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Number of attention heads.' };

const keyDimArg: ArgSpec = {
  name: 'key_dim',
  type: 'int',
  min: 1,
  max: MAX_DIM,
  doc: 'Size of each head\'s queries and keys (and values). Absent: d/heads, so that heads·key_dim equals the model width d (then heads must divide d).',
};

const causalArg: ArgSpec = {
  name: 'causal',
  type: 'bool',
  default: false,
  doc: 'Mask attention to later positions, so that each position sees only itself and earlier ones (language models).',
};

const ATTENTION_MACS_DOC = [
  '**MACs** (k = key_dim, H = heads): projections T·d·3·H·k + T·H·k·d, plus T·T·H·k for QKᵀ and T·T·H·k for the weighted sum of values.',
  'With `causal: true` only the unmasked triangle is counted, T(T+1)/2·H·k for each of the two, so that a causal stack reproduces Kaplan et al. (2020)\'s 2·n_layer·n_ctx·d attention FLOPs per token. Softmax and scaling are not counted.',
];

interface AttentionSize {
  readonly steps: number;
  readonly width: number;
  /** heads·key_dim: the total width of the queries, keys and values. */
  readonly inner: bigint;
}

/** Divisors of n in ascending order; n ≤ 2^40, so trial division up to √n is at most 2^20 steps. */
function divisors(n: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    small.push(d);
    if (d * d !== n) large.unshift(n / d);
  }
  return [...small, ...large];
}

/** Checks the input and heads; undefined after reporting, since no count is meaningful without key_dim. */
function attentionSize(ctx: InferContext, layer: string): AttentionSize | undefined {
  if (!checkSequence(ctx, layer, 'pixels')) return undefined;
  const [steps, width] = ctx.input;
  const heads = ctx.args.heads as number;
  const given = ctx.args.key_dim as number | undefined;
  if (given !== undefined) return { steps, width, inner: BigInt(heads) * BigInt(given) };
  if (width % heads === 0) return { steps, width, inner: BigInt(width) };
  const options = divisors(width);
  const below = options.filter((d) => d < heads).slice(-2);
  const above = options.filter((d) => d > heads).slice(0, 2);
  const nearest = [...below, ...above];
  ctx.report({
    code: 'heads-not-dividing',
    arg: 'heads',
    message: `${layer} splits the width ${width} into ${heads} heads, but ${heads} does not divide ${width}; use heads: ${nearest.join(', ')} or set key_dim explicitly.`,
    data: { width, heads, suggestions: nearest.map(String) },
  });
  return undefined;
}

/** Q, K, V and output projection weights (Keras MultiHeadAttention), bias optional. */
function attentionParams(width: bigint, inner: bigint, useBias: boolean): bigint {
  const qkv = 3n * (width * inner + (useBias ? inner : 0n));
  const out = inner * width + (useBias ? width : 0n);
  return qkv + out;
}

function attentionMacs(steps: bigint, width: bigint, inner: bigint, causal: boolean): bigint {
  const projections = steps * width * 3n * inner + steps * inner * width;
  // T(T+1) is always even, so the halving is exact.
  const pairs = causal ? (steps * (steps + 1n)) / 2n : steps * steps;
  return projections + 2n * pairs * inner;
}

/** key_dim as inference resolved it: given, or the width split evenly over the heads. */
function keyDim(b: BuildContext | TorchContext): number {
  const given = b.args.key_dim;
  return typeof given === 'number' ? given : b.input[b.input.length - 1] / (b.args.heads as number);
}

/** key_dim for the Python helpers, which default it to width / heads themselves. */
function torchKeyDim(t: TorchContext): number | undefined {
  return typeof t.args.key_dim === 'number' ? keyDim(t) : undefined;
}

export const multihead_attention: LayerEntry = {
  kind: 'layer',
  name: 'multihead_attention',
  family: 'attention',
  summary: 'Multi-head self-attention: every position attends to every (or, causal, every earlier) position.',
  doc: [
    'Self-attention over a sequence (Vaswani et al., 2017; Keras `MultiHeadAttention` with query = key = value): each head projects the input to queries, keys and values of `key_dim` features, mixes the values with softmax(QKᵀ/√key_dim), and an output projection maps the heads back to d.',
    'Shape unchanged: `[T, d]` → `[T, d]`.',
    '',
    '**Params** (k = key_dim, H = heads): Q, K, V each d·H·k + H·k; output H·k·d + d (without `use_bias`: 4·d·H·k).',
    ...ATTENTION_MACS_DOC,
    "**PyTorch**: the helper `SelfAttention(d, heads, key_dim, causal, bias)`: four `nn.Linear` projections (so any key_dim, unlike `nn.MultiheadAttention`), and PyTorch 2's fused `scaled_dot_product_attention` where it exists.",
  ].join('\n'),
  args: [headsArg, keyDimArg, causalArg, { name: 'use_bias', type: 'bool', default: true, doc: 'Whether the Q, K, V and output projections add learned biases.' }],
  inputRanks: [2],
  infer(ctx) {
    const size = attentionSize(ctx, 'multihead_attention');
    if (!size) return undefined;
    const width = BigInt(size.width);
    return {
      output: [size.steps, size.width],
      trainable: attentionParams(width, size.inner, ctx.args.use_bias as boolean),
      nonTrainable: 0n,
      macs: attentionMacs(BigInt(size.steps), width, size.inner, ctx.args.causal as boolean),
    };
  },
  build(b) {
    return b.custom.multiHeadAttention({
      name: b.name,
      heads: b.args.heads as number,
      keyDim: keyDim(b),
      causal: b.args.causal as boolean,
      useBias: b.args.use_bias as boolean,
    });
  },
  torch: (t) => ({
    layout: 'channels_last',
    modules: [
      pyCall(t.helper('SelfAttention'), [t.input[1], t.args.heads], {
        key_dim: torchKeyDim(t),
        causal: t.args.causal ? true : undefined,
        bias: t.args.use_bias === false ? false : undefined,
      }),
    ],
  }),
};

export const transformer_block: LayerEntry = {
  kind: 'layer',
  name: 'transformer_block',
  family: 'attention',
  summary: 'Transformer layer: self-attention and a two-layer MLP, each with a residual connection and a layer norm.',
  doc: [
    'One transformer layer: multi-head self-attention, then a position-wise MLP dense(d→ff) + activation + dense(ff→d), each wrapped in a residual connection and a layer norm.',
    '`norm: pre` (GPT-2): x + f(layernorm(x)), stable in deep stacks (end the stack with a `layernorm`); `norm: post` (original Transformer, BERT): layernorm(x + f(x)). Dropout follows the attention and the MLP.',
    'Shape unchanged: `[T, d]` → `[T, d]`.',
    '',
    '**Params** (k = key_dim, H = heads): attention 4·(d·H·k) + 3·H·k + d, two layer norms 2·2d, MLP d·ff + ff + ff·d + d. GPT-2 small\'s block (d 768, 12 heads, ff 3072): 7,087,872.',
    '**MACs**: attention as in `multihead_attention`, plus 2·T·d·ff for the MLP.',
    ...ATTENTION_MACS_DOC.slice(1),
    '**PyTorch**: the helper `TransformerBlock(d, heads, ff, key_dim, dropout, norm, activation, causal)`: `SelfAttention`, two `nn.LayerNorm` and an `nn.Sequential` MLP.',
  ].join('\n'),
  args: [
    headsArg,
    { name: 'ff', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Hidden units of the MLP (commonly 4·d).' },
    { name: 'dropout', type: 'number', default: 0.1, min: 0, max: 1, maxExclusive: true, doc: 'Dropout rate after the attention and after the MLP, in [0, 1).' },
    { name: 'norm', type: 'enum', values: ['pre', 'post'], default: 'pre', doc: '`pre`: layer norm before each sub-layer (GPT-2); `post`: after each residual sum (original Transformer, BERT).' },
    { name: 'activation', type: 'enum', values: ['relu', 'gelu'], default: 'gelu', doc: 'Activation between the two MLP layers.' },
    causalArg,
    keyDimArg,
  ],
  inputRanks: [2],
  infer(ctx) {
    const size = attentionSize(ctx, 'transformer_block');
    if (!size) return undefined;
    const width = BigInt(size.width);
    const steps = BigInt(size.steps);
    const ff = BigInt(ctx.args.ff as number);
    const norms = 2n * (2n * width);
    const mlp = width * ff + ff + ff * width + width;
    return {
      output: [size.steps, size.width],
      trainable: attentionParams(width, size.inner, true) + norms + mlp,
      nonTrainable: 0n,
      macs: attentionMacs(steps, width, size.inner, ctx.args.causal as boolean) + 2n * steps * width * ff,
    };
  },
  build(b) {
    return b.custom.transformerBlock({
      name: b.name,
      heads: b.args.heads as number,
      keyDim: keyDim(b),
      ff: b.args.ff as number,
      dropout: b.args.dropout as number,
      norm: b.args.norm as 'pre' | 'post',
      activation: b.args.activation as string,
      causal: b.args.causal as boolean,
    });
  },
  torch: (t) => ({
    layout: 'channels_last',
    modules: [
      pyCall(t.helper('TransformerBlock'), [t.input[1], t.args.heads, t.args.ff], {
        key_dim: torchKeyDim(t),
        dropout: t.args.dropout,
        norm: t.args.norm,
        activation: t.args.activation,
        causal: t.args.causal ? true : undefined,
      }),
    ],
  }),
};

export const attentionEntries: LayerEntry[] = [multihead_attention, transformer_block];
