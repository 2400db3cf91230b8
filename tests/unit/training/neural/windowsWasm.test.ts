// The padding and adaptive pooling layers train on the wasm backend (the trainer's usual one,
// with Modelspec's kernels) as on the reference cpu backend: forward values and gradients agree.
// A max pool after −∞ padding must route every gradient to a real element.
import { test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { registerCustomLayers } from '../../../../server/src/training/neural/layers';
import { gradCheck, setup, type Tensor } from '../backend/harness';

test('padding (zeros, −∞ before a max pool) and adaptive pools: wasm matches cpu, forward and gradients', async () => {
  const tf = await setup();
  const custom = registerCustomLayers(tf);
  let n = 0;
  const pad = (x: Tensor, pads: [number, number][], fill: 'zero' | 'min') => custom.pad({ name: `pad_${n++}`, pads, fill }).apply(x) as Tensor;
  const adaptive = (x: Tensor, reduction: 'avg' | 'max', size: number[]) => custom.adaptivePool({ name: `adaptive_${n++}`, reduction, size }).apply(x) as Tensor;
  await gradCheck(tf, 'maxpool2d(3, stride: 2, padding: 1)', (x) => tf.maxPool(pad(x, [[1, 1], [1, 1]], 'min') as tfTypes.Tensor4D, 3, 2, 'valid'), [{ shape: [2, 9, 9, 2], lo: -6, hi: -1 }]);
  await gradCheck(tf, 'maxpool1d(3, stride: 2, padding: 1)', (x) => tf.maxPool(tf.reshape(pad(x, [[1, 1]], 'min'), [2, 1, 12, 3]) as tfTypes.Tensor4D, [1, 3], [1, 2], 'valid'), [{ shape: [2, 10, 3], lo: -6, hi: -1 }]);
  await gradCheck(tf, 'zero_padding1d([1, 2])', (x) => pad(x, [[1, 2]], 'zero'), [{ shape: [2, 6, 3] }]);
  await gradCheck(tf, 'adaptive_avgpool2d([6, 6]) on 13×13', (x) => adaptive(x, 'avg', [6, 6]), [{ shape: [2, 13, 13, 2] }]);
  await gradCheck(tf, 'adaptive_maxpool2d([3, 5]) on 7×4', (x) => adaptive(x, 'max', [3, 5]), [{ shape: [2, 7, 4, 2] }]);
  await gradCheck(tf, 'adaptive_avgpool1d(4) on 10', (x) => adaptive(x, 'avg', [4]), [{ shape: [2, 10, 3] }]);
});
