import { checkSequence, MAX_DIM } from './common';
import { pyCall } from './torch';
import type { LayerEntry } from './types';

/**
 * Layers that add or read single tokens of a `[T, d]` sequence, as transformer encoders
 * do: ViT's class token, BERT's segment embeddings and the read-out of the first position.
 */

export const class_token: LayerEntry = {
  kind: 'layer',
  name: 'class_token',
  family: 'sequence',
  summary: 'Prepends one learned token to a sequence (the class token of ViT, BERT\'s [CLS] position).',
  doc: [
    'Puts one learned vector of d features in front of a `[T, d]` sequence, as a vision transformer does before its encoder: attention lets this extra position gather the whole sequence, and `take_token(0)` reads it out afterwards.',
    '`[T, d]` → `[T+1, d]`; the new token is position 0, so a `positional_embedding` after it needs max_len ≥ T+1.',
    '',
    '**Params**: d.',
    '**MACs**: 0 (a concatenation).',
    "**PyTorch**: the helper `ClassToken(d)`, a `[1, 1, d]` parameter expanded over the batch and concatenated in front, as torchvision's `VisionTransformer.class_token`.",
  ].join('\n'),
  args: [],
  inputRanks: [2],
  infer(ctx) {
    if (!checkSequence(ctx, 'class_token', 'pixels')) return undefined;
    const [steps, width] = ctx.input;
    if (steps + 1 > MAX_DIM) {
      ctx.report({ code: 'size-overflow', message: `class_token would make a sequence of ${steps + 1} positions, more than any tensor axis can hold (at most 2^40).` });
      return undefined;
    }
    return { output: [steps + 1, width], trainable: BigInt(width), nonTrainable: 0n, macs: 0n };
  },
  build: (b) => b.custom.classToken({ name: b.name }),
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall(t.helper('ClassToken'), [t.input[1]])] }),
};

export const take_token: LayerEntry = {
  kind: 'layer',
  name: 'take_token',
  family: 'sequence',
  summary: 'Keeps one position of a sequence: [T, d] → [d] (read out a class token, pool on the first token).',
  doc: [
    'Keeps the vector at one position of a `[T, d]` sequence and drops the others: `take_token(0)` reads the class token of a vision transformer (after `class_token`) or the [CLS] token of BERT (its pooler is `take_token(0)` then `dense(d, activation: tanh)`); `take_token(-1)` keeps the last position.',
    '`[T, d]` → `[d]`. A negative index counts from the end (−1 is the last position); the index must lie in [−T, T).',
    '',
    '**Params**: 0.',
    '**MACs**: 0 (an index, not a multiply-accumulate).',
    '**PyTorch**: the helper `TakeToken(index)`, `x[:, index]`.',
  ].join('\n'),
  args: [
    {
      name: 'index',
      type: 'int',
      default: 0,
      min: -MAX_DIM,
      max: MAX_DIM,
      doc: 'The position to keep: 0 is the first (the class token), −1 the last; negative values count from the end.',
    },
  ],
  inputRanks: [2],
  infer(ctx) {
    if (!checkSequence(ctx, 'take_token', 'pixels')) return undefined;
    const [steps, width] = ctx.input;
    const index = ctx.args.index as number;
    if (index >= steps || index < -steps) {
      ctx.report({
        code: 'index-out-of-range',
        arg: 'index',
        message: `take_token(${index}) on a sequence of ${steps} positions: the index must lie in [${-steps}, ${steps - 1}] (0 is the first position, -1 the last).`,
        data: { index, length: steps },
      });
      return undefined;
    }
    return { output: [width], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build: (b) => b.custom.takeToken({ name: b.name, index: b.args.index as number }),
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall(t.helper('TakeToken'), [t.args.index])] }),
};

export const token_type_embedding: LayerEntry = {
  kind: 'layer',
  name: 'token_type_embedding',
  family: 'sequence',
  summary: "Adds a learned segment (token-type) vector to every token, as BERT's token_type_embeddings.",
  doc: [
    "Adds a learned vector for the token's segment to each position of a `[T, d]` sequence, as BERT adds its segment (token-type) embedding to the word and position embeddings.",
    'A model has one input, so every token has type 0 and the vector of row 0 is added everywhere: what Hugging Face\'s `BertModel` does when `token_type_ids` are not given. The other rows are still learned weights (counted, and loaded from a pretrained checkpoint), so the count equals BERT\'s.',
    'Shape unchanged: `[T, d]` → `[T, d]`.',
    '',
    '**Params**: types·d (bert-base-uncased: 2·768 = 1,536).',
    '**MACs**: 0 (an addition).',
    "**PyTorch**: the helper `TokenTypeEmbedding(types, d)`, whose `weight` is a types × d table, the shape of Hugging Face's `embeddings.token_type_embeddings.weight`.",
  ].join('\n'),
  args: [{ name: 'types', type: 'int', default: 2, min: 1, max: MAX_DIM, doc: 'Number of token types (segments) the table holds; BERT has 2 (sentence A and B).' }],
  inputRanks: [2],
  infer(ctx) {
    if (!checkSequence(ctx, 'token_type_embedding', 'pixels')) return undefined;
    const [steps, width] = ctx.input;
    return { output: [steps, width], trainable: BigInt(ctx.args.types as number) * BigInt(width), nonTrainable: 0n, macs: 0n };
  },
  build: (b) => b.custom.tokenTypeEmbedding({ name: b.name, types: b.args.types as number }),
  torch: (t) => ({ layout: 'channels_last', modules: [pyCall(t.helper('TokenTypeEmbedding'), [t.args.types, t.input[1]])] }),
};

export const tokenEntries: LayerEntry[] = [class_token, take_token, token_type_embedding];
