import { activationArg, formatShape, MAX_DIM, product, useBiasArg } from './common';
import { applyEngineLayer, engineActivation } from './engine';
import { code, pyCall, torchActivation } from './torch';
import type { LayerEntry } from './types';

export const dense: LayerEntry = {
  kind: 'layer',
  name: 'dense',
  family: 'dense',
  summary: 'Fully connected layer: every output unit sees every input feature.',
  doc: [
    'Fully connected layer applied to the last axis: `[..., in]` → `[..., units]`.',
    'On a sequence `[T, in]` it acts on each position (as in a transformer MLP).',
    '',
    '**Params**: in·units (+ units with `use_bias`); 0 new weights with `tied: true`.',
    '**MACs**: positions·in·units.',
    '**PyTorch**: `nn.Linear(in, units)` and the activation; `tied: true` → `TiedLinear(embedding.weight)`, which shares the embedding\'s parameter (counted once) and adds only its bias.',
  ].join('\n'),
  args: [
    { name: 'units', type: 'int', required: true, min: 1, max: MAX_DIM, doc: 'Number of output units.' },
    activationArg,
    useBiasArg,
    {
      name: 'tied',
      type: 'bool',
      default: false,
      doc: "Reuse the transposed weights of the model's embedding (weight tying, as in GPT-2's output projection).",
    },
  ],
  infer(ctx) {
    const { input, args } = ctx;
    if (input.length === 0) {
      ctx.report({ code: 'rank-mismatch', message: 'dense needs at least one input axis.' });
      return undefined;
    }
    const units = args.units as number;
    const inFeatures = input[input.length - 1];
    const positions = product(input.slice(0, -1));
    if (input.length === 3) {
      ctx.report({
        code: 'dense-on-spatial',
        severity: 'warning',
        message: `dense receives a ${formatShape(input)} image tensor and will act on each pixel's ${inFeatures} channels separately; insert \`flatten\` before it to connect every feature.`,
        data: { fix: 'insert-flatten' },
      });
    }
    const bias = args.use_bias ? BigInt(units) : 0n;
    let weights = BigInt(inFeatures) * BigInt(units);
    if (args.tied) {
      const emb = ctx.model.embedding;
      if (!emb) {
        ctx.report({ code: 'tied-without-embedding', arg: 'tied', message: 'tied: true needs an embedding layer earlier in the model to share weights with.' });
      } else if (emb.vocab !== units || emb.dim !== inFeatures) {
        ctx.report({
          code: 'tied-shape',
          arg: 'tied',
          message: `A tied output must map ${emb.dim} features to the embedding's ${emb.vocab} tokens, but this layer maps ${inFeatures} to ${units}; set units to ${emb.vocab}.`,
          data: { expectedUnits: emb.vocab },
        });
      } else weights = 0n;
    }
    return {
      output: [...input.slice(0, -1), units],
      trainable: weights + bias,
      nonTrainable: 0n,
      macs: positions * BigInt(inFeatures) * BigInt(units),
    };
  },
  build(b) {
    const { tf, args } = b;
    const activation = engineActivation(args.activation);
    if (!args.tied) return tf.layers.dense({ name: b.name, units: args.units as number, activation, useBias: args.use_bias as boolean });
    // The checker reports both cases as errors; a caller that trains anyway gets them again here.
    const embedding = b.embedding;
    if (!embedding) return b.unsupported('tied: true needs an embedding earlier in the model to share weights with.');
    const inFeatures = b.input[b.input.length - 1];
    if (embedding.vocab !== args.units || embedding.dim !== inFeatures) {
      return b.unsupported(`a tied output must map ${embedding.dim} features to the embedding's ${embedding.vocab} tokens, but this layer maps ${inFeatures} to ${String(args.units)}.`);
    }
    return (x) => {
      let y = b.custom.tiedOutput(embedding.layer, x);
      if (args.use_bias) y = applyEngineLayer(b.custom.bias({ name: `${b.name}_bias` }), y);
      if (activation !== 'linear') y = applyEngineLayer(tf.layers.activation({ name: `${b.name}_activation`, activation }), y);
      return y;
    };
  },
  torch(t) {
    const { args, input } = t;
    const inFeatures = input[input.length - 1];
    const bias = args.use_bias === false ? false : undefined;
    const linear = args.tied
      ? pyCall(t.helper('TiedLinear'), [code(t.embeddingWeight ?? t.unsupported('tied: true needs an embedding earlier in the model to share weights with.'))], { bias })
      : pyCall('nn.Linear', [inFeatures, args.units], { bias });
    return { layout: 'channels_last', modules: [linear, ...torchActivation(args.activation, 'channels_last', t.output.length)] };
  },
};
