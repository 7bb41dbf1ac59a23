// What the dataset explorer's loaders share: load FER2013 when it is there, else fall back to the
// committed snapshot of aggregate statistics (src/data/snapshot/), and the loader protocol itself
// (result on stdout, progress on stderr, one `error: ...` line and a non-zero exit on failure).

import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import type {Fer2013Dataset} from "../src/lib/dataset.js";
import {findDuplicates, findNearBlank, type DuplicateReport} from "../src/lib/duplicates.js";
import {PNG} from "pngjs";
import {classDistribution, dataQuality, intensityHistograms, meanFaces, packSprite, planFaceSprite, type SpriteEntry} from "../src/lib/dataset-stats.js";
import {fer2013Available, loadFer2013} from "./fer2013.js";

export const SNAPSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/data/snapshot");

/** The aggregate statistics that may be committed, by snapshot file name. */
export const AGGREGATES = {
  "class-distribution": (dataset: Fer2013Dataset) => classDistribution(dataset),
  "mean-faces": (dataset: Fer2013Dataset) => meanFaces(dataset),
  "intensity-histograms": (dataset: Fer2013Dataset) => intensityHistograms(dataset),
  "data-quality": (dataset: Fer2013Dataset) => dataQuality(dataset, qualityFindings(dataset))
} as const;
export type AggregateName = keyof typeof AGGREGATES;

/** Where a loader's numbers came from: the dataset itself, or the committed snapshot. */
export type ReportSource = "fer2013" | "snapshot";

export function qualityFindings(dataset: Fer2013Dataset): {duplicates: DuplicateReport; nearBlank: number[]} {
  return {duplicates: findDuplicates(dataset), nearBlank: findNearBlank(dataset)};
}

/** FER2013 through the binary cache, or undefined when no dataset is found (FER2013_PATH unset, no data/). */
export async function loadDatasetIfAvailable(): Promise<Fer2013Dataset | undefined> {
  // An explicit FER2013_PATH that is wrong must fail the build rather than quietly show the snapshot.
  if (!process.env.FER2013_PATH && !fer2013Available()) {
    log("fer2013 not found (no FER2013_PATH, no data/fer2013): using the committed snapshot");
    return undefined;
  }
  const start = performance.now();
  const dataset = await loadFer2013();
  log(`fer2013: ${dataset.labels.length} faces from ${dataset.cached ? "the cache" : dataset.layout} in ${seconds(start)} s`);
  return dataset;
}

/** One aggregate, computed from the dataset when available, else read from the snapshot. */
export async function aggregate(name: AggregateName): Promise<{source: ReportSource} & object> {
  const dataset = await loadDatasetIfAvailable();
  if (!dataset) return {source: "snapshot", ...readSnapshot(name)};
  const start = performance.now();
  const result = AGGREGATES[name](dataset);
  log(`${name}: computed in ${seconds(start)} s`);
  return {source: "fer2013", ...result};
}

export function snapshotPath(name: AggregateName): string {
  return path.join(SNAPSHOT_DIR, `${name}.json`);
}

export function readSnapshot(name: AggregateName): object {
  const file = snapshotPath(name);
  try {
    return JSON.parse(fs.readFileSync(file, "utf-8"));
  } catch (error) {
    throw new Error(`cannot read the snapshot ${file} (${(error as Error).message}); expected the file written by npm run snapshot`);
  }
}

/** Runs a loader body: its result goes to stdout; any failure prints `error: ...` and exits 1. */
export function runLoader(body: () => Promise<string | Uint8Array>): void {
  body().then(
    (output) => process.stdout.write(output),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  );
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function seconds(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(2);
}

/** Faces per row of the sprite sheet (32 x 48 px = 1536 px wide). */
export const SPRITE_COLUMNS = 32;

/** The explorer's face gallery: which faces, where each sits on the sheet, and the sheet's pixels. */
export interface FaceSpriteSheet {
  available: boolean;
  tileSize: number;
  width: number;
  height: number;
  faces: (Omit<SpriteEntry, "index"> & {x: number; y: number})[];
  pixels: Uint8Array;
}

/**
 * Built from the images at build time only, never committed. Without the dataset it is an empty,
 * 1 x 1 sheet with `available: false`, so the page still builds and hides the galleries.
 */
export async function faceSpriteSheet(): Promise<FaceSpriteSheet> {
  const dataset = await loadDatasetIfAvailable();
  if (!dataset) return {available: false, tileSize: 48, width: 1, height: 1, faces: [], pixels: new Uint8Array(1)};
  const entries = planFaceSprite(dataset, qualityFindings(dataset));
  const sprite = packSprite(dataset, entries.map((entry) => entry.index), {columns: SPRITE_COLUMNS});
  const faces = entries.map(({index: _index, ...entry}, k) => ({...entry, ...sprite.tiles[k]}));
  return {available: true, tileSize: sprite.tileSize, width: sprite.width, height: sprite.height, faces, pixels: sprite.pixels};
}

/** An 8-bit greyscale PNG of a sheet's pixels. */
export function encodeGreyPng({width, height, pixels}: {width: number; height: number; pixels: Uint8Array}): Uint8Array {
  return PNG.sync.write(
    Object.assign(new PNG({width, height, colorType: 0, inputColorType: 0, bitDepth: 8}), {data: Buffer.from(pixels)}),
    {colorType: 0, inputColorType: 0, bitDepth: 8}
  );
}
