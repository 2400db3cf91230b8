import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName } from '../../../server/src/util/suggest';

test('a case-insensitive exact match wins over a closer-looking candidate', () => {
  assert.equal(closestName('dense', ['Densely', 'DENSE', 'dense2']), 'DENSE');
  assert.equal(closestName('Label', ['labels', 'label']), 'label');
});

test('suggests the nearest name within the distance limit', () => {
  assert.equal(closestName('dnse', ['conv2d', 'dense', 'dropout']), 'dense');
  assert.equal(closestName('labl', ['sepal_length_cm', 'label']), 'label');
  assert.equal(closestName('activaton', ['activation', 'units']), 'activation');
});

test('gives nothing when every candidate is too far', () => {
  // limit for a 5-letter name is max(1, floor(5/3)) = 1
  assert.equal(closestName('dense', ['dropout', 'flatten']), undefined);
  assert.equal(closestName('lstm', ['conv2d']), undefined);
  assert.equal(closestName('x', []), undefined);
});

test('the limit is at least one edit even for short names', () => {
  assert.equal(closestName('a', ['b']), 'b');
  assert.equal(closestName('ab', ['cd']), undefined);
});

test('the limit grows with a third of the typed length', () => {
  // 9 letters: up to 3 edits
  assert.equal(closestName('batchnrom', ['batchnorm']), 'batchnorm');
  assert.equal(closestName('xatxhnxrm', ['batchnorm']), 'batchnorm');
  assert.equal(closestName('xxtxhnxrm', ['batchnorm']), undefined);
});

test('ties go to the earlier candidate', () => {
  assert.equal(closestName('cat', ['bat', 'hat']), 'bat');
  assert.equal(closestName('cat', ['hat', 'bat']), 'hat');
});

test('a closer candidate later in the list beats an earlier one', () => {
  assert.equal(closestName('conv2dd', ['conv1d', 'conv2d']), 'conv2d');
});

test('swapping two adjacent letters counts as one edit', () => {
  assert.equal(closestName('lable', ['sepal_length_cm', 'label']), 'label');
  assert.equal(closestName('desne', ['dense']), 'dense');
  // two separate swaps in a 5-letter name exceed its limit of 1
  assert.equal(closestName('edsen', ['dense']), undefined);
});
