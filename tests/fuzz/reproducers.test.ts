// The smallest inputs behind the failures the fuzz test found, one test per root cause, so
// a fix can be checked in milliseconds instead of a full fuzz run. They run on this
// process's main thread, with the same ~1 MB stack as the CLI and the language server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { MAX_BLOCK_DEPTH } from '../../server/src/analysis/neural';
import { chain } from './cases';

const check = (text: string) => analyze(text, { file: '/work/project/spec.model' });
const codes = (text: string) => check(text).diagnostics.map((d) => d.code);

test('a lone \\r ends a line, as it does for LSP clients', () => {
  // Old Mac line endings: the file must read as it does with \n.
  assert.deepEqual(codes('model M {\r  input: [4]\r  dense(2)\r}\r'), codes('model M {\n  input: [4]\n  dense(2)\n}\n'));
  // The editor shows `d` at the start of line 1; the diagnostic must point there.
  const d = check('\rd').diagnostics;
  assert.equal(d.length, 1);
  assert.deepEqual(d[0].range.start, { line: 1, character: 0 });
});

test('blocks chained as deep as MAX_BLOCK_DEPTH expand; deeper chains are reported, not a stack overflow', () => {
  const ok = check(chain(MAX_BLOCK_DEPTH)).models[0];
  assert.equal(ok.complete, true);
  assert.equal(ok.totals.total, 20n);
  assert.ok(codes(chain(2_000)).includes('nesting-too-deep'));
});

test('a chain of blocks passing a parameter down evaluates it at every level', () => {
  const out = ['block B0(n) { dense(n) }'];
  for (let i = 1; i < 100; i++) out.push(`block B${i}(n = 2) { B${i - 1}(n + 1) }`);
  const m = check(`${out.join('\n')}\nmodel M {\n  input: [4]\n  B99(1)\n}\n`).models[0];
  // n grows by one per level: dense(100) on [4].
  assert.equal(m.totals.total, 500n);
});

test('a cycle through 2,000 blocks is reported as block-cycle, not a stack overflow', () => {
  const out: string[] = [];
  for (let i = 0; i < 2_000; i++) out.push(`block B${i} { B${(i + 1) % 2_000} }`);
  assert.ok(codes(`${out.join('\n')}\nmodel M {\n  input: [4]\n  B0\n}\n`).includes('block-cycle'));
});

test('an expansion cut at the row limit costs about the same however deep its nesting', () => {
  // Block Bk uses B(k-1) twice: from level 17 on, expansion passes the 50,000-row limit
  // and stops. Summing every group over all rows below it makes the cost grow with depth.
  const doubling = (levels: number) => {
    const out = ['block B0 { dense(4) }'];
    for (let i = 1; i < levels; i++) out.push(`block B${i} {\n  B${i - 1}\n  B${i - 1}\n}`);
    return `${out.join('\n')}\nmodel M {\n  input: [4]\n  B${levels - 1}\n}\n`;
  };
  const time = (text: string) => {
    const t0 = performance.now();
    assert.ok(codes(text).includes('size-overflow'));
    return performance.now() - t0;
  };
  time(doubling(17)); // warm-up
  const shallow = time(doubling(17));
  const deep = time(doubling(200));
  assert.ok(deep < 3 * shallow + 100, `200 levels took ${Math.round(deep)} ms, 17 levels ${Math.round(shallow)} ms`);
});
