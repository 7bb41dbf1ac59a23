// The dataset explorer's statistics: class distribution, mean faces, intensity histograms, the
// data-quality summary and the face-sprite layout. Pure functions of a Fer2013Dataset, shared by the
// data loaders and `npm run snapshot`, so the committed snapshot and a live build cannot disagree.

import {EMOTIONS, SPLITS, type Emotion, type Split} from "./labels.js";
import {IMAGE_PIXELS, IMAGE_SIZE, classCounts, datasetSize, type Fer2013Dataset} from "./dataset.js";
import {NEAR_BLANK_MIN_STD, type DuplicateGroup, type DuplicateReport, type DuplicateSummary} from "./duplicates.js";
import {Random} from "./random.js";
import {bytesToBase64} from "./base64.js";

/** Faces per split and class: the page derives shares and totals from these (with arquero). */
export interface ClassDistribution {
  counts: Record<Split, Record<Emotion, number>>;
}

export function classDistribution(dataset: Fer2013Dataset): ClassDistribution {
  return {counts: classCounts(dataset)};
}

/** The pixel-wise mean of every face of one class in one split, rounded to grey levels. */
export interface MeanFace {
  split: Split;
  emotion: Emotion;
  /** Faces averaged. */
  count: number;
  /** 48 x 48 grey levels, row-major, base64 (see base64ToBytes). */
  pixels: string;
}

export interface MeanFaces {
  size: number;
  faces: MeanFace[];
}

export function meanFaces(dataset: Fer2013Dataset): MeanFaces {
  const groups = SPLITS.length * EMOTIONS.length;
  const sums = new Float64Array(groups * IMAGE_PIXELS);
  const counts = new Float64Array(groups);
  const {pixels, labels, splits} = dataset;
  for (let i = 0, n = datasetSize(dataset); i < n; i++) {
    const group = splits[i] * EMOTIONS.length + labels[i];
    counts[group]++;
    const sumOffset = group * IMAGE_PIXELS;
    const pixelOffset = i * IMAGE_PIXELS;
    for (let k = 0; k < IMAGE_PIXELS; k++) sums[sumOffset + k] += pixels[pixelOffset + k];
  }
  const faces: MeanFace[] = [];
  SPLITS.forEach((split, s) => {
    EMOTIONS.forEach((emotion, e) => {
      const group = s * EMOTIONS.length + e;
      const mean = new Uint8Array(IMAGE_PIXELS);
      if (counts[group] > 0) {
        for (let k = 0; k < IMAGE_PIXELS; k++) mean[k] = Math.round(sums[group * IMAGE_PIXELS + k] / counts[group]);
      }
      faces.push({split, emotion, count: counts[group], pixels: bytesToBase64(mean)});
    });
  });
  return {size: IMAGE_SIZE, faces};
}

/** Grey-level histograms of every pixel of every face, per split and class. */
export interface IntensityHistogram {
  split: Split;
  emotion: Emotion;
  /** Pixels counted (faces x 2304). */
  pixels: number;
  /** counts[b]: pixels with grey level in [b * binWidth, (b + 1) * binWidth). */
  counts: number[];
}

export interface IntensityHistograms {
  bins: number;
  binWidth: number;
  histograms: IntensityHistogram[];
}

export function intensityHistograms(dataset: Fer2013Dataset, {bins = 64}: {bins?: number} = {}): IntensityHistograms {
  if (!Number.isInteger(bins) || bins < 1 || 256 % bins !== 0) {
    throw new Error(`invalid bins: ${bins}; expected a divisor of 256 (1, 2, 4, ..., 256)`);
  }
  const binWidth = 256 / bins;
  const shift = Math.log2(binWidth);
  const groups = SPLITS.length * EMOTIONS.length;
  const counts = new Float64Array(groups * bins);
  const {pixels, labels, splits} = dataset;
  for (let i = 0, n = datasetSize(dataset); i < n; i++) {
    const groupOffset = (splits[i] * EMOTIONS.length + labels[i]) * bins;
    for (let k = i * IMAGE_PIXELS, end = k + IMAGE_PIXELS; k < end; k++) counts[groupOffset + (pixels[k] >> shift)]++;
  }
  const histograms: IntensityHistogram[] = [];
  SPLITS.forEach((split, s) => {
    EMOTIONS.forEach((emotion, e) => {
      const offset = (s * EMOTIONS.length + e) * bins;
      const groupCounts = Array.from(counts.subarray(offset, offset + bins));
      histograms.push({split, emotion, pixels: groupCounts.reduce((a, b) => a + b, 0), counts: groupCounts});
    });
  });
  return {bins, binWidth, histograms};
}

/** Aggregate data-quality findings: counts only, nothing that identifies an image. */
export interface DataQuality {
  duplicates: DuplicateSummary;
  nearBlank: {
    /** Faces whose grey-level standard deviation is below minStd. */
    total: number;
    minStd: number;
    counts: Record<Split, Record<Emotion, number>>;
  };
}

export function dataQuality(
  dataset: Fer2013Dataset,
  {duplicates, nearBlank, minStd = NEAR_BLANK_MIN_STD}: {duplicates: DuplicateReport; nearBlank: number[]; minStd?: number}
): DataQuality {
  const counts = emptyCounts();
  for (const i of nearBlank) counts[SPLITS[dataset.splits[i]]][EMOTIONS[dataset.labels[i]]]++;
  return {duplicates: duplicates.summary, nearBlank: {total: nearBlank.length, minStd, counts}};
}

function emptyCounts(): Record<Split, Record<Emotion, number>> {
  return Object.fromEntries(
    SPLITS.map((split) => [split, Object.fromEntries(EMOTIONS.map((emotion) => [emotion, 0]))])
  ) as Record<Split, Record<Emotion, number>>;
}

/** A seeded sample of up to `perGroup` faces of each split and class, each group in dataset order. */
export function sampleFaces(
  dataset: Fer2013Dataset,
  {perGroup = 32, seed = 2013}: {perGroup?: number; seed?: number} = {}
): {split: Split; emotion: Emotion; indices: number[]}[] {
  const members: number[][] = Array.from({length: SPLITS.length * EMOTIONS.length}, () => []);
  for (let i = 0, n = datasetSize(dataset); i < n; i++) members[dataset.splits[i] * EMOTIONS.length + dataset.labels[i]].push(i);
  const random = new Random(seed);
  return members.map((indices, group) => {
    // A partial Fisher-Yates shuffle: the first `take` entries become a uniform sample.
    const take = Math.min(perGroup, indices.length);
    for (let k = 0; k < take; k++) {
      const j = k + random.int(indices.length - k);
      [indices[k], indices[j]] = [indices[j], indices[k]];
    }
    return {
      split: SPLITS[Math.floor(group / EMOTIONS.length)],
      emotion: EMOTIONS[group % EMOTIONS.length],
      indices: indices.slice(0, take).sort((a, b) => a - b)
    };
  });
}

/** Which duplicate groups to show: cross-split groups with conflicting labels first, then cross-split, then conflicting. */
export function pickDuplicateGroups(groups: DuplicateGroup[], {limit = 12}: {limit?: number} = {}): DuplicateGroup[] {
  const rank = (g: DuplicateGroup) => (g.splits.length > 1 ? 2 : 0) + (g.conflicting ? 1 : 0);
  return groups
    .map((group, order) => ({group, order}))
    .sort((a, b) => rank(b.group) - rank(a.group) || a.order - b.order)
    .slice(0, limit)
    .map(({group}) => group);
}

export type SpriteSection = "sample" | "duplicate" | "near-blank";

/** One face of the sprite sheet and what the page says about it. */
export interface SpriteEntry {
  section: SpriteSection;
  index: number;
  split: Split;
  emotion: Emotion;
  id: string;
  /** For a duplicate group's face: every member of the group (the same 2304 bytes). */
  members?: {split: Split; emotion: Emotion; id: string}[];
}

/** The faces of the explorer's sprite sheet, in tile order: samples, duplicate groups, near-blank faces. */
export function planFaceSprite(
  dataset: Fer2013Dataset,
  {duplicates, nearBlank, perGroup = 32, seed = 2013, maxDuplicateGroups = 12, maxNearBlank = 12}: {
    duplicates: DuplicateReport;
    nearBlank: number[];
    perGroup?: number;
    seed?: number;
    maxDuplicateGroups?: number;
    maxNearBlank?: number;
  }
): SpriteEntry[] {
  const describe = (index: number) => ({
    split: SPLITS[dataset.splits[index]],
    emotion: EMOTIONS[dataset.labels[index]],
    id: dataset.ids[index]
  });
  const entries: SpriteEntry[] = [];
  for (const group of sampleFaces(dataset, {perGroup, seed})) {
    for (const index of group.indices) entries.push({section: "sample", index, ...describe(index)});
  }
  for (const group of pickDuplicateGroups(duplicates.groups, {limit: maxDuplicateGroups})) {
    const index = group.indices[0];
    entries.push({section: "duplicate", index, ...describe(index), members: group.indices.map(describe)});
  }
  for (const index of nearBlank.slice(0, maxNearBlank)) entries.push({section: "near-blank", index, ...describe(index)});
  return entries;
}

/** A grid of 48 x 48 faces in one grey image, and where each face sits. */
export interface Sprite {
  width: number;
  height: number;
  tileSize: number;
  /** width x height grey levels, row-major. */
  pixels: Uint8Array;
  /** tiles[k]: top-left corner of the k-th face. */
  tiles: {x: number; y: number}[];
}

export function packSprite(dataset: Fer2013Dataset, indices: readonly number[], {columns = 32}: {columns?: number} = {}): Sprite {
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`invalid columns: ${columns}; expected a positive integer`);
  const n = datasetSize(dataset);
  const tileSize = IMAGE_SIZE;
  const rows = Math.max(1, Math.ceil(indices.length / columns));
  const width = Math.min(columns, Math.max(1, indices.length)) * tileSize;
  const height = rows * tileSize;
  const pixels = new Uint8Array(width * height);
  const tiles = indices.map((index, k) => {
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new Error(`invalid face index: ${index}; expected 0..${n - 1}`);
    const x = (k % columns) * tileSize;
    const y = Math.floor(k / columns) * tileSize;
    for (let row = 0; row < tileSize; row++) {
      const from = index * IMAGE_PIXELS + row * tileSize;
      pixels.set(dataset.pixels.subarray(from, from + tileSize), (y + row) * width + x);
    }
    return {x, y};
  });
  return {width, height, tileSize, pixels, tiles};
}
