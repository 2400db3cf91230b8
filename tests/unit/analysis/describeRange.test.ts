// How an argument's allowed range reads in hovers, messages and docs/layers.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRange } from '../../../server/src/analysis/args';
import { MAX_DIM } from '../../../server/src/catalog/common';

test('the size limit reads 2^40 on either side; other bounds as written', () => {
  assert.equal(describeRange({ name: 'index', type: 'int', min: -MAX_DIM, max: MAX_DIM, doc: '' }), 'in [−2^40, 2^40]');
  assert.equal(describeRange({ name: 'units', type: 'int', min: 1, max: MAX_DIM, doc: '' }), 'in [1, 2^40]');
  assert.equal(describeRange({ name: 'rate', type: 'number', min: 0, max: 1, maxExclusive: true, doc: '' }), 'in [0, 1)');
  assert.equal(describeRange({ name: 'lo', type: 'number', min: 0, minExclusive: true, doc: '' }), '> 0');
  assert.equal(describeRange({ name: 'free', type: 'number', doc: '' }), 'any value');
});
