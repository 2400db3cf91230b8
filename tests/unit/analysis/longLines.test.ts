// A 2 MB line answers with a handful of diagnostics, whatever it holds: surplus arguments
// are reported once over all of them (not once each, which made a 314 MB report), and a
// huge name, a line of commas or a huge string stay single findings. Timings are printed,
// not asserted (they depend on the machine); bench/long-lines.ts checks their growth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './memoryHost';

const MB2 = 2_000_000;
// mse: no advice about the output activation, only what the line itself provokes.
const model = (line: string) => `model M {\n  input: [4]\n  ${line}\n  train {\n    loss: mse\n  }\n}\n`;

function timed<T>(label: string, f: () => T): T {
  const start = performance.now();
  const out = f();
  console.log(`# ${label}: ${Math.round(performance.now() - start)} ms`);
  return out;
}

test('hundreds of thousands of surplus arguments: one diagnostic over all of them, with their count', () => {
  const n = Math.ceil(MB2 / 3); // "1, " each
  const text = model(`dense(${Array(n).fill('1').join(', ')})`);
  assert.ok(text.length > MB2);
  const a = timed(`${n} arguments`, () => run(text));
  const surplus = a.diagnostics.filter((d) => d.code === 'too-many-arguments');
  assert.equal(surplus.length, 1);
  // dense takes units, activation, use_bias, tied…: the rest are surplus, from the first after them to the last.
  const taken = n - (surplus[0].data!.surplus as number);
  assert.ok(taken >= 2 && taken <= 10, `${taken} positional arguments bound`);
  assert.match(surplus[0].message, new RegExp(`^dense takes at most ${taken} positional arguments \\(units, activation, .*\\); ${(n - taken).toLocaleString('en-US')} surplus arguments: remove them or name the ones meant\\.$`));
  assert.deepEqual(surplus[0].range, { start: { line: 2, character: 8 + 3 * taken }, end: { line: 2, character: 8 + 3 * n - 2 } });
  // The few bound ones are checked as usual (1 is not an activation), and nothing else is said.
  assert.ok(a.diagnostics.length <= taken + 1, a.diagnostics.map((d) => d.code).join());
});

test('one surplus argument keeps the short message; named arguments after a surplus run are still checked', () => {
  const one = run(model('relu(3)'));
  assert.deepEqual(one.diagnostics.map((d) => [d.code, d.message, d.data]), [['too-many-arguments', 'relu takes no arguments; remove this one.', { surplus: 1 }]]);
  const line = '  dropout(0.1, 2, 3, 4, seed: 2, colour: 1)';
  const mixed = run(model(line.trim()));
  assert.deepEqual(
    mixed.diagnostics.map((d) => [d.code, d.range.start.character, d.range.end.character]),
    [
      ['too-many-arguments', line.indexOf('2,'), line.indexOf('4,') + 1],
      ['unknown-argument', line.indexOf('seed'), line.indexOf('seed') + 4],
      ['unknown-argument', line.indexOf('colour'), line.indexOf('colour') + 6],
    ],
  );
  assert.match(mixed.diagnostics[0].message, /; 3 surplus arguments: remove them or name the ones meant\.$/);
});

test('other long lines: a 2 MB name, commas, a 2 MB string', () => {
  const name = timed('2 MB name', () => run(model('x'.repeat(MB2))));
  assert.deepEqual(name.diagnostics.map((d) => d.code), ['unknown-layer']);
  // Every comma is an empty argument, the costliest shape per byte: a tenth of the size keeps the test quick (bench/long-lines.ts times the full size).
  const commas = timed('200 kB of commas', () => run(model(`dense(${','.repeat(MB2 / 10)})`)));
  assert.ok(commas.diagnostics.length <= 3, commas.diagnostics.map((d) => `${d.code}: ${d.message.slice(0, 80)}`).join('\n'));
  assert.ok(commas.diagnostics.some((d) => d.code === 'syntax-error'));
  const string = timed('2 MB string', () => run(model(`dense("${'s'.repeat(MB2)}")`)));
  assert.deepEqual(string.diagnostics.map((d) => d.code), ['argument-type']);
  assert.ok(string.diagnostics[0].message.length < 1100);
});
