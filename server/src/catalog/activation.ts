import { ACTIVATIONS } from './common';
import { engineActivation } from './engine';
import { torchActivation } from './torch';
import type { LayerEntry } from './types';

const COST = [
  '**Params**: 0.',
  '**MACs**: 0 (activations are not counted as multiply-accumulates).',
  "**PyTorch**: the `torch.nn` module of the same name (`nn.ReLU()`, `nn.GELU()`, `nn.SiLU()` for swish, `nn.LeakyReLU(0.2)` for Keras's slope, `nn.Softmax` over the channel axis).",
].join('\n');

/** Element-wise functions (and softmax, over the last axis) leave the shape and the weights alone. */
function activationLayer(name: string, summary: string, formula: string): LayerEntry {
  return {
    kind: 'layer',
    name,
    family: 'activation',
    summary,
    doc: [formula, 'Shape unchanged: `[...]` → `[...]`.', '', COST].join('\n'),
    args: [],
    infer(ctx) {
      return { output: [...ctx.input], trainable: 0n, nonTrainable: 0n, macs: 0n };
    },
    build(b) {
      return b.tf.layers.activation({ name: b.name, activation: engineActivation(name) });
    },
    torch: (t) => ({ layout: 'any', modules: torchActivation(name, t.layout, t.input.length) }),
  };
}

export const relu = activationLayer('relu', 'Rectified linear unit: max(x, 0).', 'Applies max(x, 0) to every element.');
export const gelu = activationLayer(
  'gelu',
  'Gaussian error linear unit, as in BERT and GPT-2.',
  'Applies x·Φ(x) to every element, where Φ is the standard normal CDF (the smooth ReLU of transformers).',
);
export const tanh = activationLayer('tanh', 'Hyperbolic tangent: squashes to (−1, 1).', 'Applies tanh(x) to every element, giving values in (−1, 1).');
export const sigmoid = activationLayer('sigmoid', 'Logistic sigmoid: squashes to (0, 1).', 'Applies 1 / (1 + e^(−x)) to every element, giving values in (0, 1); the output of binary classifiers.');
export const softmax = activationLayer(
  'softmax',
  'Turns the last axis into probabilities that sum to 1.',
  'Applies e^(x_i) / Σ_j e^(x_j) over the last axis, so each position holds a probability distribution; the output of multi-class classifiers.',
);

export const activation: LayerEntry = {
  kind: 'layer',
  name: 'activation',
  family: 'activation',
  summary: 'Applies the named activation function as a layer.',
  doc: [
    'Applies the activation `name` (the same functions as the `activation:` argument of dense and convolution layers), element-wise or, for softmax, over the last axis.',
    'Shape unchanged: `[...]` → `[...]`.',
    '',
    COST,
  ].join('\n'),
  args: [{ name: 'name', type: 'enum', values: ACTIVATIONS, required: true, doc: `Activation function: ${ACTIVATIONS.join(', ')}.` }],
  infer(ctx) {
    return { output: [...ctx.input], trainable: 0n, nonTrainable: 0n, macs: 0n };
  },
  build(b) {
    return b.tf.layers.activation({ name: b.name, activation: engineActivation(b.args.name) });
  },
  torch: (t) => ({ layout: 'any', modules: torchActivation(t.args.name, t.layout, t.input.length) }),
};

export const activationEntries: LayerEntry[] = [relu, gelu, tanh, sigmoid, softmax, activation];
