// Data-quality findings on a FER2013 dataset: groups of byte-identical faces (within and across splits,
// with conflicting labels) and near-blank faces. Pure, so loaders, ingest and tests share it.

import {EMOTIONS, SPLITS, type Emotion, type Split} from "./labels.js";
import {IMAGE_PIXELS, datasetSize, type Fer2013Dataset} from "./dataset.js";

/** Two or more faces with the same 2304 bytes. */
export interface DuplicateGroup {
  /** Dataset indices, ascending. */
  indices: number[];
  /** The distinct labels in the group, in canonical order. */
  labels: Emotion[];
  /** The distinct splits in the group, in canonical order. */
  splits: Split[];
  /** True when the same face carries more than one label. */
  conflicting: boolean;
}

/** Pairs of splits, as keys of DuplicateSummary.acrossSplits. */
export const SPLIT_PAIRS = ["Training+PublicTest", "Training+PrivateTest", "PublicTest+PrivateTest"] as const;
export type SplitPair = (typeof SPLIT_PAIRS)[number];

export interface DuplicateSummary {
  /** Groups of byte-identical faces. */
  groups: number;
  /** Faces that belong to a group. */
  images: number;
  /** Faces beyond the first of each group: what deduplication would remove. */
  redundant: number;
  /** Groups whose faces all lie in one split. */
  withinSplit: Record<Split, number>;
  /** Groups with faces in both splits of the pair (a group in all three counts in every pair). */
  acrossSplits: Record<SplitPair, number>;
  /** Test faces with a byte-identical copy in Training: leakage that flatters test accuracy. */
  testFacesInTraining: {PublicTest: number; PrivateTest: number};
  /** Groups whose faces carry more than one label. */
  conflictingLabels: number;
}

export interface DuplicateReport {
  groups: DuplicateGroup[];
  summary: DuplicateSummary;
}

// Two independent 32-bit multiplicative lanes (FNV-1a and a murmur-style multiplier) make a 53-bit key;
// a collision only costs a byte comparison, since every group is confirmed byte by byte.
function faceKey(pixels: Uint8Array, offset: number): number {
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = offset, end = offset + IMAGE_PIXELS; i < end; i++) {
    const byte = pixels[i];
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) + (b & 0x1fffff) * 0x100000000;
}

function sameFace(pixels: Uint8Array, i: number, j: number): boolean {
  const a = i * IMAGE_PIXELS, b = j * IMAGE_PIXELS;
  for (let k = 0; k < IMAGE_PIXELS; k++) if (pixels[a + k] !== pixels[b + k]) return false;
  return true;
}

/** Every group of two or more byte-identical faces, ordered by their first index, and its summary. */
export function findDuplicates(dataset: Fer2013Dataset): DuplicateReport {
  const n = datasetSize(dataset);
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = faceKey(dataset.pixels, i * IMAGE_PIXELS);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(i);
    else buckets.set(key, [i]);
  }
  const groups: DuplicateGroup[] = [];
  for (const bucket of buckets.values()) {
    if (bucket.length < 2) continue;
    // Split a bucket into runs of truly identical faces (almost always exactly one run).
    const runs: number[][] = [];
    for (const i of bucket) {
      const run = runs.find((r) => sameFace(dataset.pixels, r[0], i));
      if (run) run.push(i);
      else runs.push([i]);
    }
    for (const indices of runs) if (indices.length >= 2) groups.push(describeGroup(dataset, indices));
  }
  groups.sort((a, b) => a.indices[0] - b.indices[0]);
  return {groups, summary: summarizeDuplicates(dataset, groups)};
}

function describeGroup(dataset: Fer2013Dataset, indices: number[]): DuplicateGroup {
  const labelSet = new Set(indices.map((i) => dataset.labels[i]));
  const splitSet = new Set(indices.map((i) => dataset.splits[i]));
  return {
    indices,
    labels: EMOTIONS.filter((_, k) => labelSet.has(k)),
    splits: SPLITS.filter((_, k) => splitSet.has(k)),
    conflicting: labelSet.size > 1
  };
}

function summarizeDuplicates(dataset: Fer2013Dataset, groups: DuplicateGroup[]): DuplicateSummary {
  const summary: DuplicateSummary = {
    groups: groups.length,
    images: 0,
    redundant: 0,
    withinSplit: {Training: 0, PublicTest: 0, PrivateTest: 0},
    acrossSplits: {"Training+PublicTest": 0, "Training+PrivateTest": 0, "PublicTest+PrivateTest": 0},
    testFacesInTraining: {PublicTest: 0, PrivateTest: 0},
    conflictingLabels: 0
  };
  for (const group of groups) {
    summary.images += group.indices.length;
    summary.redundant += group.indices.length - 1;
    if (group.conflicting) summary.conflictingLabels++;
    if (group.splits.length === 1) summary.withinSplit[group.splits[0]]++;
    for (const pair of SPLIT_PAIRS) {
      const [a, b] = pair.split("+") as Split[];
      if (group.splits.includes(a) && group.splits.includes(b)) summary.acrossSplits[pair]++;
    }
    if (group.splits.includes("Training")) {
      for (const i of group.indices) {
        const split = SPLITS[dataset.splits[i]];
        if (split === "PublicTest" || split === "PrivateTest") summary.testFacesInTraining[split]++;
      }
    }
  }
  return summary;
}

/** Mean and standard deviation (population) of one face's grey levels. */
export function faceStats(dataset: Fer2013Dataset, index: number): {mean: number; std: number} {
  let sum = 0, sumSquares = 0;
  for (let k = index * IMAGE_PIXELS, end = k + IMAGE_PIXELS; k < end; k++) {
    const v = dataset.pixels[k];
    sum += v;
    sumSquares += v * v;
  }
  const mean = sum / IMAGE_PIXELS;
  return {mean, std: Math.sqrt(Math.max(0, sumSquares / IMAGE_PIXELS - mean * mean))};
}

/**
 * Default threshold on a face's grey-level standard deviation: below it an image is a flat field, not a face.
 * Measured on the FER2013 image folders: 12 all-black images (std 0), one flat grey (0.7) and one almost-black
 * non-face (4.2) lie below 6; the next lowest (9.2, then 11.7) are real, very dark faces.
 */
export const NEAR_BLANK_MIN_STD = 6;

/** Indices of faces whose grey-level standard deviation is below minStd, ascending. */
export function findNearBlank(dataset: Fer2013Dataset, {minStd = NEAR_BLANK_MIN_STD}: {minStd?: number} = {}): number[] {
  const out: number[] = [];
  for (let i = 0, n = datasetSize(dataset); i < n; i++) if (faceStats(dataset, i).std < minStd) out.push(i);
  return out;
}
