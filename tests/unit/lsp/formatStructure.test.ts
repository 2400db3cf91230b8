// The formatter on concat, if/else and comparisons: spaces around comparison operators, a
// sign after one stays glued to its number, paths indent by depth, and formatting twice
// changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { formatText } from '../../../server/src/lsp/formatting';

const format = (text: string) => formatText(text, analyze(text, { file: '/virtual/format.model' }));

test('comparisons, signs after them, and nested concat paths and branches', () => {
  const text = 'block B(t) {\n  if t==-1 and not t>=2 { relu }\n  else {\n  concat {\n{ }\n    {dense(2)}\n  }\n  }\n}\n';
  const formatted = format(text);
  assert.equal(formatted, 'block B(t) {\n  if t == -1 and not t >= 2 { relu }\n  else {\n    concat {\n      { }\n      { dense(2) }\n    }\n  }\n}\n');
  assert.equal(format(formatted!), formatted);
});

test('an index stays glued to its name', () => {
  const text = 'block B {\n  dense(in_shape[0]*2 ,use_bias:false)\n}\n';
  assert.equal(format(text), 'block B {\n  dense(in_shape[0] * 2, use_bias: false)\n}\n');
});
