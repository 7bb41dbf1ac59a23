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

/** Mean absolute grey-level difference between faces i and j (0 for byte-identical faces). */
export function meanAbsoluteDifference(pixels: Uint8Array, i: number, j: number): number {
  const a = i * IMAGE_PIXELS, b = j * IMAGE_PIXELS;
  let sum = 0;
  for (let k = 0; k < IMAGE_PIXELS; k++) sum += Math.abs(pixels[a + k] - pixels[b + k]);
  return sum / IMAGE_PIXELS;
}

const BLOCKS = 4;
const BLOCK = 48 / BLOCKS;

/** The 16 block means of a face (4x4 blocks of 12x12 pixels): their mean gap never exceeds the faces' mean absolute difference. */
function blockMeans(pixels: Uint8Array, index: number): Float64Array {
  const out = new Float64Array(BLOCKS * BLOCKS);
  const base = index * IMAGE_PIXELS;
  for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) out[Math.floor(y / BLOCK) * BLOCKS + Math.floor(x / BLOCK)] += pixels[base + y * 48 + x];
  for (let k = 0; k < out.length; k++) out[k] /= BLOCK * BLOCK;
  return out;
}

/**
 * For each face of `queries`, whether `pool` holds a byte-identical face ("identical"), else a near-identical
 * one ("near": mean absolute difference at most `maxMeanDifference` grey levels, e.g. the same photo saved
 * twice as JPEG), else none. Faces whose mean differs by more than 16 x the bound cannot be that close (the
 * whole face's mean is a block mean's average), so candidates are found by sorting on the mean first.
 */
export function matchesInPool(
  dataset: Fer2013Dataset,
  queries: ArrayLike<number>,
  pool: ArrayLike<number>,
  {maxMeanDifference = 4}: {maxMeanDifference?: number} = {}
): ("identical" | "near" | null)[] {
  const {pixels} = dataset;
  const poolMeans = Array.from(pool, (index) => ({index, blocks: blockMeans(pixels, index)}))
    .map((entry) => ({...entry, mean: entry.blocks.reduce((a, b) => a + b, 0) / entry.blocks.length}))
    .sort((a, b) => a.mean - b.mean);
  const means = poolMeans.map((entry) => entry.mean);
  const lowerBound = (value: number) => {
    let lo = 0, hi = means.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (means[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return Array.from(queries, (query) => {
    const blocks = blockMeans(pixels, query);
    const mean = blocks.reduce((a, b) => a + b, 0) / blocks.length;
    let best: "identical" | "near" | null = null;
    // The face mean differs by at most the mean absolute difference, and so does the average block gap.
    for (let k = lowerBound(mean - maxMeanDifference); k < poolMeans.length && poolMeans[k].mean <= mean + maxMeanDifference; k++) {
      const candidate = poolMeans[k];
      let gap = 0;
      for (let b = 0; b < blocks.length; b++) gap += Math.abs(blocks[b] - candidate.blocks[b]);
      if (gap / blocks.length > maxMeanDifference) continue;
      const difference = meanAbsoluteDifference(pixels, query, candidate.index);
      if (difference === 0) return "identical";
      if (difference <= maxMeanDifference) best = "near";
    }
    return best;
  });
}
