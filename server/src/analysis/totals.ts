import { optimizerSlots } from '../catalog/settings';
import { withSeparators } from '../util/format';
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

/**
 * Training memory = fp32 weights + gradients + optimizer state + activations kept for the
 * backward pass × batch. A step never holds more samples than an epoch has, so the batch is
 * min(batch_size, training samples) when the training samples are known.
 */
export function memoryOf(totals: Totals, train: TrainSettings, trainSamples?: number): Memory {
  const momentum = typeof train.optimizer.args.momentum === 'number' ? train.optimizer.args.momentum : 0;
  const slots = BigInt(optimizerSlots(train.optimizer.name, momentum));
  const weightsFp32 = totals.total * FP32;
  const gradients = totals.trainable * FP32;
  const optimizerState = totals.trainable * FP32 * slots;
  const activationsPerSample = totals.activations * FP32;
  const batchSize = effectiveBatch(train.batchSize, trainSamples);
  return {
    weightsFp32,
    weightsFp16: totals.total * FP16,
    gradients,
    optimizerState,
    activationsPerSample,
    batchSize,
    batchSetting: train.batchSize,
    training: weightsFp32 + gradients + optimizerState + activationsPerSample * BigInt(batchSize),
  };
}

/** The most samples one step holds: batch_size, capped at the training samples when they are known. */
export function effectiveBatch(batchSize: number, trainSamples: number | undefined): number {
  return trainSamples !== undefined && trainSamples > 0 && trainSamples < batchSize ? trainSamples : batchSize;
}

/** "120 (batch_size 1,000,000,000, capped at the 120 training samples)", or just "16" (or "4,096") when nothing was capped. */
export function batchText(memory: Memory): string {
  if (memory.batchSize >= memory.batchSetting) return withSeparators(memory.batchSize);
  return `${withSeparators(memory.batchSize)} (batch_size ${withSeparators(memory.batchSetting)}, capped at the ${withSeparators(memory.batchSize)} training samples)`;
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
