import { optimizerSlots } from '../catalog/settings';
import type { LayerRow, Memory, Totals, TrainingCompute, TrainSettings } from './model';

const FP32 = 4n;
const FP16 = 2n;

export function sumRows(rows: readonly LayerRow[]): Totals {
  let trainable = 0n;
  let nonTrainable = 0n;
  let macs = 0n;
  let activations = 0n;
  // What PyTorch counts beyond `trainable` (recurrent layers' second bias vectors).
  let torchExtra = 0n;
  for (const r of rows) {
    if (r.kind !== 'layer') continue;
    activations += r.activations;
    if (r.count === 1) {
      trainable += r.trainable;
      nonTrainable += r.nonTrainable;
      macs += r.macs;
      if (r.torchTrainable !== undefined) torchExtra += r.torchTrainable - r.trainable;
      continue;
    }
    const n = BigInt(r.count);
    trainable += r.trainable * n;
    nonTrainable += r.nonTrainable * n;
    macs += r.macs * n;
    if (r.torchTrainable !== undefined) torchExtra += (r.torchTrainable - r.trainable) * n;
  }
  return {
    trainable,
    nonTrainable,
    total: trainable + nonTrainable,
    torch: { params: trainable + torchExtra, buffers: nonTrainable },
    macs,
    flops: 2n * macs,
    activations,
  };
}

/** Training memory = fp32 weights + gradients + optimizer state + activations kept for the backward pass × batch. */
export function memoryOf(totals: Totals, train: TrainSettings): Memory {
  const momentum = typeof train.optimizer.args.momentum === 'number' ? train.optimizer.args.momentum : 0;
  const slots = BigInt(optimizerSlots(train.optimizer.name, momentum));
  const weightsFp32 = totals.total * FP32;
  const gradients = totals.trainable * FP32;
  const optimizerState = totals.trainable * FP32 * slots;
  const activationsPerSample = totals.activations * FP32;
  return {
    weightsFp32,
    weightsFp16: totals.total * FP16,
    gradients,
    optimizerState,
    activationsPerSample,
    batchSize: train.batchSize,
    training: weightsFp32 + gradients + optimizerState + activationsPerSample * BigInt(train.batchSize),
  };
}

/** Backward ≈ 2 × forward, so one training step costs ≈ 3 × forward FLOPs per sample. */
export function computeOf(totals: Totals, train: TrainSettings, samples: number | undefined): TrainingCompute {
  const flopsPerSample = 3n * totals.flops;
  return {
    samples,
    epochs: train.epochs,
    flopsPerSample,
    flops: samples === undefined ? undefined : flopsPerSample * BigInt(samples) * BigInt(train.epochs),
  };
}
