// MobileNetV2's inverted residual written with blocks as a user would: they read
// in_channels, choose with if (expand only when t != 1; a residual only when the shape
// stays), and a stage of one block repeats 0 times. tests/export/catalog.test.ts checks
// the exported PyTorch on it, tests/unit/training/neural/structure.test.ts the engine.
export const INVERTED_RESIDUAL_BLOCKS = [
  'block Body(t, out, stride) {',
  '  if t != 1 { conv2d(in_channels * t, kernel: 1, use_bias: false) batchnorm activation(relu6) }',
  '  conv2d(in_channels, kernel: 3, stride: stride, padding: same, groups: in_channels, use_bias: false)',
  '  conv2d(out, kernel: 1, use_bias: false)',
  '}',
  'block Inverted(t, out, stride = 1) {',
  '  if stride == 1 and in_channels == out { residual { Body(t, out, stride) } } else { Body(t, out, stride) }',
  '}',
  'block Stage(t, out, n, stride) {',
  '  Inverted(t, out, stride: stride)',
  '  repeat n - 1 { Inverted(t, out) }',
  '}',
].join('\n');
