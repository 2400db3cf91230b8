import type { RunResult } from '../../server/src/training/protocol';

/** A completed run's result with the given labels and confusion matrix, every score `score`: enough for the CLI's renderers. */
export function fakeResult(labels: readonly string[], confusion: number[][], model = 'Net', score = 0.9): RunResult {
  return {
    runId: 'r1',
    runDir: '/runs/r1',
    model,
    kind: 'neural',
    status: 'completed',
    backend: 'wasm',
    metrics: {
      accuracy: score,
      f1: score,
      perClass: labels.map((label, i) => ({ label, precision: score, recall: score, f1: score, support: confusion[i].reduce((a, b) => a + b, 0) })),
      confusion,
    },
    trainMs: 1000,
    inferenceMsPerSample: 0.1,
    sizeBytes: 1000,
    params: { trainable: 10, nonTrainable: 0, total: 10 },
    flops: 20,
    epochsRun: 1,
  } as unknown as RunResult;
}
