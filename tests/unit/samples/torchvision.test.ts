// Architectures written as torchvision defines them (tests/fixtures/torchvision/) reproduce
// torchvision's published numbers: parameters exactly (AlexNet_Weights.IMAGENET1K_V1 and
// VGG16_Weights.IMAGENET1K_V1 list num_params 61,100,840 and 138,357,544) and MACs to the
// unit of what forward hooks count on torchvision's own models (0.71 and 15.47 GFLOPS in
// torchvision's tables; tests/export/torchvision.test.ts counts both with the same hooks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../../../server/src/analysis/analyze';

const FIXTURES = resolve(__dirname, '../../fixtures/torchvision');

function model(file: string, name: string) {
  const path = join(FIXTURES, file);
  const a = analyze(readFileSync(path, 'utf8'), { file: path });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`), []);
  const m = a.models.find((x) => x.name === name);
  assert.ok(m?.complete, `${name} in ${file}`);
  return m;
}

test('AlexNet (torchvision): 61,100,840 params and 714,188,480 MACs, padding 2 and adaptive_avgpool2d([6, 6])', () => {
  const m = model('alexnet.model', 'AlexNet');
  assert.equal(m.totals.total, 61_100_840n);
  assert.equal(m.totals.macs, 714_188_480n);
  assert.deepEqual(m.outputShape, [1000]);
  const shapes = m.rows.filter((r) => r.kind === 'layer' && r.count > 0).map((r) => `${r.name} ${JSON.stringify(r.output)}`);
  // torchvision's feature maps: 64@55×55 after the stem (TensorFlow's `same` would give 56×56), 256@6×6 into the classifier.
  assert.ok(shapes.includes('conv2d [55,55,64]'), shapes.join('\n'));
  assert.ok(shapes.includes('adaptive_avgpool2d [6,6,256]'), shapes.join('\n'));
});

test('VGG16 with its adaptive pool (torchvision): 138,357,544 params and 15,470,264,320 MACs, as the bundled sample', () => {
  const m = model('vgg16.model', 'VGG16');
  assert.equal(m.totals.total, 138_357_544n);
  assert.equal(m.totals.macs, 15_470_264_320n);
  assert.deepEqual(m.outputShape, [1000]);
});
