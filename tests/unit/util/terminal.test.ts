import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalSafe, terminalSafeOutput } from '../../../server/src/util/terminal';

/** What a terminal would act on: C0 but line feed and tab, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('terminalSafe escapes C0, DEL and C1 controls (U+009B included), keeps line feeds, tabs and other text', () => {
  assert.equal(terminalSafe('\x1b[2J\x1b]0;pwned\x07'), '\\u001b[2J\\u001b]0;pwned\\u0007');
  assert.equal(terminalSafe('a\u009b31mb'), 'a\\u009b31mb');
  assert.equal(terminalSafe('\u0085\u0090\u009c\u009d\u009f\u0080'), '\\u0085\\u0090\\u009c\\u009d\\u009f\\u0080');
  assert.equal(terminalSafe('\x00\x08\x0b\x0c\r\x7f'), '\\u0000\\u0008\\u000b\\u000c\\u000d\\u007f');
  assert.equal(terminalSafe('line 1\n\tline 2'), 'line 1\n\tline 2');
  assert.equal(terminalSafe('café ✓ 😀 ─ × \u00a0'), 'café ✓ 😀 ─ × \u00a0');
  for (let c = 0; c < 0x100; c++) {
    const s = terminalSafe(String.fromCharCode(c));
    assert.ok(!CONTROL.test(s), `U+${c.toString(16)} escaped`);
  }
});

test('terminalSafe keeps JSON valid and its meaning unchanged', () => {
  const value = { label: '\x1b[2J\u009b31m\u0085x', name: 'tab\tand\nnewline\x7f' };
  const json = JSON.stringify(value, null, 2);
  assert.ok(CONTROL.test(json), 'JSON.stringify leaves DEL and C1 raw');
  const safe = terminalSafe(json);
  assert.ok(!CONTROL.test(safe));
  assert.deepEqual(JSON.parse(safe), value);
});

test('terminalSafeOutput escapes every line written through it', () => {
  const lines: string[] = [];
  const io = terminalSafeOutput({ out: (t) => lines.push(`out:${t}`), err: (t) => lines.push(`err:${t}`) });
  io.out('\u009b2J');
  io.err('\x1b[31m');
  assert.deepEqual(lines, ['out:\\u009b2J', 'err:\\u001b[31m']);
});
