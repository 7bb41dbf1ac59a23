// The in-memory FER2013 dataset shared by the readers, the trainer and the loaders.

import {EMOTIONS, SPLITS, type Emotion, type Split} from "./labels.js";
import {Random} from "./random.js";

export const IMAGE_SIZE = 48;
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE; // 2304

/** One compact dataset: N faces of 48x48 8-bit grey, row-major, one after another. */
export interface Fer2013Dataset {
  /** N x 2304 grey levels. */
  pixels: Uint8Array;
  /** N label indices into EMOTIONS. */
  labels: Uint8Array;
  /** N split indices into SPLITS. */
  splits: Uint8Array;
  /** N source ids: "train/angry/Training_3908.jpg" for folders, "fer2013.csv:2" (1-based file line; the header is line 1) for the CSV. */
  ids: string[];
}

export function datasetSize(dataset: Fer2013Dataset): number {
  return dataset.labels.length;
}

/** The 2304 pixels of face i, as a view (no copy). */
export function facePixels(dataset: Fer2013Dataset, i: number): Uint8Array {
  return dataset.pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
}

/** Indices of the faces of one split, in dataset order. */
export function splitIndices(dataset: Fer2013Dataset, split: Split): Int32Array {
  const s = SPLITS.indexOf(split);
  const out: number[] = [];
  for (let i = 0; i < dataset.splits.length; i++) if (dataset.splits[i] === s) out.push(i);
  return Int32Array.from(out);
}

/**
 * A seeded random cut of `indices` into a kept part and a held-out part of ceil(fraction x n) faces, as
 * scikit-learn's train_test_split(test_size=fraction) sizes it (the original project's protocol). Both parts
 * come back in dataset order; the same indices, fraction and seed always give the same cut.
 */
export function randomHoldout(indices: Int32Array, {fraction, seed}: {fraction: number; seed: number}): {kept: Int32Array; holdout: Int32Array} {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`holdout fraction must be in (0, 1), got ${fraction}`);
  const size = Math.ceil(fraction * indices.length);
  if (size >= indices.length) throw new Error(`a holdout of ${fraction} leaves nothing of ${indices.length} faces to train on`);
  const shuffled = new Random(seed).shuffle(indices.slice());
  return {kept: shuffled.slice(size).sort(), holdout: shuffled.slice(0, size).sort()};
}

/** Per-split, per-class counts in canonical order. */
export function classCounts(dataset: Fer2013Dataset): Record<Split, Record<Emotion, number>> {
  const counts = Object.fromEntries(
    SPLITS.map((split) => [split, Object.fromEntries(EMOTIONS.map((e) => [e, 0]))])
  ) as Record<Split, Record<Emotion, number>>;
  for (let i = 0; i < dataset.labels.length; i++) counts[SPLITS[dataset.splits[i]]][EMOTIONS[dataset.labels[i]]]++;
  return counts;
}
