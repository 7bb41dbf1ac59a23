// The in-memory FER2013 dataset shared by the readers, the trainer and the loaders.

import {EMOTIONS, SPLITS, type Emotion, type Split} from "./labels.js";

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

/** Per-split, per-class counts in canonical order. */
export function classCounts(dataset: Fer2013Dataset): Record<Split, Record<Emotion, number>> {
  const counts = Object.fromEntries(
    SPLITS.map((split) => [split, Object.fromEntries(EMOTIONS.map((e) => [e, 0]))])
  ) as Record<Split, Record<Emotion, number>>;
  for (let i = 0; i < dataset.labels.length; i++) counts[SPLITS[dataset.splits[i]]][EMOTIONS[dataset.labels[i]]]++;
  return counts;
}
