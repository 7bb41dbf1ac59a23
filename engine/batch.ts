// A training batch checked and copied into the trainer's buffers (labels become one-hot targets), and how a
// batch is cut into one contiguous shard per worker. Shared by the in-process and the worker trainers.

import type {NamedTensor, TrainingBatch} from "./trainer.js";

export interface PreparedBatch {
  count: number;
  weighted: boolean;
}

export interface BatchBuffers {
  inputs: Float32Array;
  targets: Float32Array;
  sampleWeights: Float32Array;
}

export function imageCount(xs: Float32Array, inputShape: number[], what: string): number {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  if (!(xs instanceof Float32Array)) throw new Error(`${what}: xs must be a Float32Array`);
  if (xs.length === 0 || xs.length % inputSize !== 0) {
    throw new Error(`${what}: xs has ${xs.length} values, expected a positive multiple of ${inputSize} (${inputShape.join("x")} per image)`);
  }
  return xs.length / inputSize;
}

/**
 * Validates a batch and copies it (labels as one-hot targets) into buffers sized for it. Targets are
 * `targetWidth` values per image (numClasses, or twice that for a distillation loss, which needs targets).
 */
export function prepareBatch(
  batch: TrainingBatch,
  into: (count: number) => BatchBuffers,
  inputShape: number[],
  {numClasses, targetWidth}: {numClasses: number; targetWidth: number}
): PreparedBatch {
  const count = imageCount(batch.xs, inputShape, "trainer.step");
  if ((batch.labels == null) === (batch.targets == null)) throw new Error("trainer.step: give exactly one of labels or targets");
  if (batch.labels != null && targetWidth !== numClasses) {
    throw new Error(`trainer.step: a distillation loss needs targets (the label's ${numClasses} values, then the teachers'), not labels`);
  }
  const buffers = into(count);
  buffers.inputs.set(batch.xs);
  if (batch.labels != null) {
    if (batch.labels.length !== count) throw new Error(`trainer.step: ${batch.labels.length} labels for ${count} images`);
    buffers.targets.fill(0, 0, count * numClasses);
    for (let i = 0; i < count; i++) {
      const label = batch.labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
        throw new Error(`trainer.step: label ${label} at index ${i} is not a class index in 0..${numClasses - 1}`);
      }
      buffers.targets[i * numClasses + label] = 1;
    }
  } else {
    const targets = batch.targets!;
    if (targets.length !== count * targetWidth) {
      throw new Error(`trainer.step: targets has ${targets.length} values, expected ${count} x ${targetWidth}`);
    }
    buffers.targets.set(targets);
  }
  if (batch.sampleWeights != null) {
    if (batch.sampleWeights.length !== count) throw new Error(`trainer.step: ${batch.sampleWeights.length} sampleWeights for ${count} images`);
    for (let i = 0; i < count; i++) buffers.sampleWeights[i] = batch.sampleWeights[i];
  }
  return {count, weighted: batch.sampleWeights != null};
}

export function toValueList(weights: NamedTensor[] | Float32Array[]): Float32Array[] {
  return weights.map((w) => (w instanceof Float32Array ? w : w.values));
}

/** Contiguous shards of `count` over `parts`, the first ones one larger when it does not divide. */
export function shardRanges(count: number, parts: number): {start: number; count: number}[] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  const ranges: {start: number; count: number}[] = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const size = base + (k < extra ? 1 : 0);
    ranges.push({start, count: size});
    start += size;
  }
  return ranges;
}
