import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockingErrorsMessage, byAccuracy, comparisonTable, markdownTable, progressLine, textTable, tradeOff, type ComparedRun } from '../../../server/src/training/report';

const run = (model: string, accuracy: number, params: number | string, trainMs: number, kind = 'neural'): ComparedRun => ({
  model,
  kind,
  params: { total: params },
  flops: 2 * Number(params),
  trainMs,
  inferenceMsPerSample: 0.5,
  sizeBytes: 4 * Number(params),
  metrics: { accuracy, f1: accuracy - 0.01 },
});

test('byAccuracy: highest first, ties to the smaller model', () => {
  const sorted = byAccuracy([run('A', 0.9, 100, 1), run('B', 0.95, 1000, 1), run('C', 0.9, 10, 1)]);
  assert.deepEqual(sorted.map((r) => r.model), ['B', 'C', 'A']);
});

test('tradeOff picks the smallest model within a point of the best and says what the big one costs', () => {
  const cnn = run('CNN', 0.989, 13706, 35000);
  const svm = run('SVM', 0.985, 2000, 400, 'classical');
  const tree = run('Tree', 0.86, 300, 20, 'classical');
  const t = tradeOff([cnn, svm, tree])!;
  assert.equal(t.best, cnn);
  assert.equal(t.pick, svm);
  assert.deepEqual(t.frontier.map((r) => r.model).sort(), ['CNN', 'SVM', 'Tree']);
  assert.equal(t.summary, 'SVM comes within 0.4 points of CNN (98.5% vs 98.9%); CNN costs 6.9× the parameters and 88× the training time for that gain.');
});

test('tradeOff when the best model is also the pick, and for dominated models', () => {
  const a = run('Big', 0.99, 1000, 10);
  const b = run('Small', 0.9, 100, 5);
  const dominated = run('Worse', 0.85, 5000, 50);
  const t = tradeOff([a, b, dominated])!;
  assert.equal(t.pick, a);
  assert.deepEqual(t.frontier.map((r) => r.model), ['Big', 'Small']);
  assert.match(t.summary, /^Big is the most accurate \(99\.0%\) and no smaller model comes within 1 point of it; the next best, Small, reaches 90\.0%\.$/);
  assert.equal(tradeOff([]), undefined);
  assert.equal(tradeOff([b])!.summary, 'Small: 90.0%.');
});

test('comparison cells, the CLI text table and Markdown come from one description', () => {
  const table = comparisonTable([run('Net|work', 0.9234, 12345678901234567890n.toString(), 90_500)]);
  assert.deepEqual(table.rows[0], ['Net|work', 'neural', '12,345,678,901,234,567,890', '24.7 E', '1 min 31 s', '0.500 ms', '42.8 EiB', '92.34%', '0.9134']);
  const md = markdownTable(table).split('\n');
  assert.equal(md[1], '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  assert.ok(md[2].startsWith('| Net\\|work | neural |'));
  const text = textTable(table, 'note').split('\n');
  assert.equal(text.at(-1), 'note');
  assert.match(text[1], /^Model +Kind +Params/);
  assert.equal(text[0], text[2], 'rules above and below the head');
  assert.match(text[3], /^Net\|work +neural +12,345,678,901,234,567,890/);
});

test('progress line and the message that blocks training', () => {
  assert.equal(progressLine({ epoch: 3, epochs: 20, loss: 0.41234, accuracy: 0.882, valAccuracy: 0.86, etaMs: 12_000 }), 'epoch 3/20 · loss 0.412 · acc 88.2% · val 86.0% · ETA 12.0 s');
  assert.equal(progressLine({ epoch: 20, epochs: 20, loss: 0.1, etaMs: 0 }), 'epoch 20/20 · loss 0.100');
  const errors = Array.from({ length: 7 }, (_, i) => ({ code: 'unknown-layer', message: `bad ${i}`, range: { start: { line: i, character: 2 } } }));
  const msg = blockingErrorsMessage('/a/b.model', errors).split('\n');
  assert.equal(msg[0], 'Errors block training: /a/b.model has 7 errors; fix them first:');
  assert.equal(msg[1], '  /a/b.model:1:3 unknown-layer bad 0');
  assert.equal(msg.at(-1), '  … and 2 more');
  assert.match(blockingErrorsMessage('f', errors.slice(0, 1)), /has 1 error; fix it first/);
});
