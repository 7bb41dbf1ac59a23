// FER2013 from disk: finds the dataset (argument, FER2013_PATH, data/fer2013, data/fer2013.csv), reads
// either public layout with the pure parsers of src/lib, and keeps a binary cache so a second load of the
// full set is one ~85 MB read. Node only (node:fs, jpeg-js, pngjs).
//
// Cache file (.cache/fer2013/<name>-<hash of the resolved path>.bin), written to a temp file then renamed:
//   "FER2013\0" | uint32 LE header length | header JSON {version, source, layout, fingerprint, count, idsBytes}
//   | pixels (count x 2304) | labels (count) | splits (count) | ids as a JSON array (idsBytes, UTF-8)
// The fingerprint is cheap to recompute on every load: size + mtime for a CSV; for folders the file count,
// total bytes, newest mtime (files and folders) and a hash of every (id, size, mtime), so an added, removed,
// edited or moved image invalidates the cache.

import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import jpeg from "jpeg-js";
import {PNG} from "pngjs";
import {IMAGE_PIXELS, splitIndices, type Fer2013Dataset} from "../src/lib/dataset.js";
import {facesToInput} from "../src/lib/preprocess.js";
import {syntheticDataset} from "./synthetic.js";
import type {ProgressLine} from "./cli.js";
import {EMOTIONS, emotionIndex} from "../src/lib/labels.js";
import {Fer2013CsvParser} from "../src/lib/fer2013-csv.js";
import {faceFromDecoded, checkFaceSize, imageSize, isFaceImageName, isSplitFolder, labelFaceImage} from "../src/lib/fer2013-images.js";

/** Where the dataset is looked for, relative to the project root, when neither a path nor FER2013_PATH is given. */
export const DEFAULT_FER2013_PATHS = ["data/fer2013", "data/fer2013.csv"] as const;
export const DEFAULT_CACHE_DIR = ".cache/fer2013";
/** Bump when a reader change alters what a cache would hold. */
const CACHE_VERSION = 1;
const CACHE_MAGIC = Buffer.from("FER2013\0", "latin1");

export const FER2013_HELP =
  "get fer2013 from kaggle (image folders: https://www.kaggle.com/datasets/msambare/fer2013, or fer2013.csv: " +
  "https://www.kaggle.com/c/challenges-in-representation-learning-facial-expression-recognition-challenge/data), " +
  "then put it at data/fer2013/ (train/ and test/ folders) or data/fer2013.csv, or set FER2013_PATH=/path/to/it";

export interface LoadProgress {
  stage: "listing" | "decoding" | "parsing" | "reading-cache" | "writing-cache";
  /** Files for listing/decoding, bytes for parsing, faces for the cache stages. */
  done: number;
  /** 0 while unknown (listing, until the last file is found). */
  total: number;
}

export interface LoadFer2013Options {
  /** A fer2013.csv file or a folder; default FER2013_PATH, then data/fer2013, then data/fer2013.csv. */
  path?: string;
  /** Default .cache/fer2013 under the current directory. */
  cacheDir?: string;
  onProgress?: (progress: LoadProgress) => void;
}

/** A loaded dataset, and where it came from. */
export interface LoadedFer2013 extends Fer2013Dataset {
  /** The resolved, absolute path read (a folder or a CSV file). */
  source: string;
  layout: "csv" | "folders";
  /** True when the arrays came from the binary cache. */
  cached: boolean;
}

/**
 * The absolute dataset path: `explicitPath`, else FER2013_PATH, else data/fer2013, else data/fer2013.csv
 * (relative to the current directory, the project root). Throws a message that says how to get FER2013.
 */
export function resolveFer2013Path(explicitPath?: string): string {
  if (explicitPath !== undefined) return existing(explicitPath, `fer2013 not found at ${path.resolve(explicitPath)}`);
  const fromEnv = process.env.FER2013_PATH;
  if (fromEnv) return existing(fromEnv, `FER2013_PATH=${fromEnv} does not exist (${path.resolve(fromEnv)})`);
  for (const candidate of DEFAULT_FER2013_PATHS) if (fs.existsSync(candidate)) return path.resolve(candidate);
  throw new Error(`fer2013 not found: no FER2013_PATH, no ${DEFAULT_FER2013_PATHS.join(" or ")} in ${process.cwd()}; ${FER2013_HELP}`);
}

function existing(candidate: string, problem: string): string {
  if (!fs.existsSync(candidate)) throw new Error(`${problem}, expected a folder with train/ and test/ or a fer2013.csv file; ${FER2013_HELP}`);
  return path.resolve(candidate);
}

/** Whether resolveFer2013Path() finds a dataset (loaders fall back to committed snapshots when not). */
export function fer2013Available(): boolean {
  try {
    resolveFer2013Path();
    return true;
  } catch {
    return false;
  }
}

/** Loads FER2013 from `path` (see resolveFer2013Path), through the binary cache. */
export async function loadFer2013({path: explicitPath, cacheDir = DEFAULT_CACHE_DIR, onProgress}: LoadFer2013Options = {}): Promise<LoadedFer2013> {
  const source = resolveFer2013Path(explicitPath);
  const found = findLayout(source, onProgress);
  const cacheFile = path.join(path.resolve(cacheDir), `${path.basename(source).replace(/[^\w.-]/g, "_")}-${sha1(source).slice(0, 12)}.bin`);
  const fromCache = readCache(cacheFile, {source, fingerprint: found.fingerprint, onProgress});
  if (fromCache) return {...fromCache, source, layout: found.layout, cached: true};
  const dataset = found.layout === "csv"
    ? await readFer2013Csv(found.csvFile, {onProgress})
    : readListedImages(found.listing, {onProgress});
  writeCache(cacheFile, dataset, {source, layout: found.layout, fingerprint: found.fingerprint, onProgress});
  return {...dataset, source, layout: found.layout, cached: false};
}

/**
 * PublicTest, ready for a model: its faces as model input and its labels, from FER2013 (--data or the default
 * path) or, with `synthetic`, from that many generated faces per split (for tests). The tools that choose
 * (ensemble-search, calibration) read it; progress goes to the given line.
 */
export async function loadPublicTest({data, synthetic}: {data?: string; synthetic?: number}, progress: ProgressLine): Promise<{input: Float32Array; labels: Uint8Array}> {
  let dataset: Fer2013Dataset;
  if (synthetic !== undefined) dataset = syntheticDataset(synthetic);
  else {
    dataset = await loadFer2013({path: data, onProgress: ({stage, done}) => progress.update(`loading fer2013: ${stage} ${done}`)});
    progress.done(`loaded fer2013: ${dataset.labels.length} faces`);
  }
  const indices = splitIndices(dataset, "PublicTest");
  if (indices.length === 0) throw new Error("the dataset has no PublicTest faces");
  return {input: facesToInput(dataset.pixels, indices), labels: Uint8Array.from(indices, (i) => dataset.labels[i])};
}

// ---------------------------------------------------------------------------------------------------------
// fer2013.csv

/** Streams a fer2013.csv through the strict byte-level parser (see src/lib/fer2013-csv.ts). */
export async function readFer2013Csv(file: string, {onProgress}: {onProgress?: LoadFer2013Options["onProgress"]} = {}): Promise<Fer2013Dataset> {
  const size = statOrThrow(file).size;
  const parser = new Fer2013CsvParser({file, expectedBytes: size});
  let done = 0;
  for await (const chunk of fs.createReadStream(file, {highWaterMark: 1 << 22})) {
    parser.push(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.({stage: "parsing", done, total: size});
  }
  return parser.end();
}

function statOrThrow(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch {
    throw new Error(`${file} does not exist, expected a fer2013.csv file or a folder of images`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// image folders

interface ImageListing {
  root: string;
  /** The root folder's own name: stands in for train/ or test/ when the root holds class folders. */
  rootName: string;
  files: {id: string; size: number}[];
}

type FoundLayout =
  | {layout: "csv"; csvFile: string; fingerprint: object}
  | {layout: "folders"; listing: ImageListing; fingerprint: object};

const IGNORED_NAMES = new Set(["__macosx", "thumbs.db", "desktop.ini"]);
const ignored = (name: string) => name.startsWith(".") || IGNORED_NAMES.has(name.toLowerCase());

function findLayout(source: string, onProgress?: LoadFer2013Options["onProgress"]): FoundLayout {
  const stats = statOrThrow(source);
  if (stats.isFile()) {
    if (!source.toLowerCase().endsWith(".csv")) throw new Error(`${source} is not a .csv file, expected fer2013.csv or a folder of images`);
    return {layout: "csv", csvFile: source, fingerprint: {bytes: stats.size, mtimeMs: stats.mtimeMs}};
  }
  const folders = readFolder(source).filter((entry) => entry.isDirectory);
  const csvInside = path.join(source, "fer2013.csv");
  if (folders.length === 0 && fs.existsSync(csvInside)) return findLayout(csvInside);
  const {listing, fingerprint} = listFaceImages(source, onProgress);
  return {layout: "folders", listing, fingerprint};
}

/** A folder's entries, sorted by name (code units, not locale), hidden and OS litter skipped, symlinks followed. */
function readFolder(folder: string): {name: string; isDirectory: boolean}[] {
  return fs
    .readdirSync(folder, {withFileTypes: true})
    .filter((entry) => !ignored(entry.name))
    .map((entry) => ({
      name: entry.name,
      isDirectory: entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(path.join(folder, entry.name)).isDirectory())
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Every face image under `root`, sorted by id, with the fingerprint of the listing.
 * Accepts `root/{train,test}/<class>/*` or `root/<class>/*`; anything else is an error naming the folder.
 * Files beside the folders (a README, a licence, .DS_Store) are not faces and are left alone; inside a class
 * folder, hidden files are skipped and any other file that is not a .jpg or .png face stops the load.
 */
function listFaceImages(root: string, onProgress?: LoadFer2013Options["onProgress"]): {listing: ImageListing; fingerprint: object} {
  const folders = readFolder(root).filter((entry) => entry.isDirectory).map((entry) => entry.name);
  const expected = `expected train/ and test/ folders of class folders, or class folders (${EMOTIONS.join(", ")})`;
  if (folders.length === 0) throw new Error(`${root} holds no image folders, ${expected}`);
  const classLayout = folders.every((name) => emotionIndex(name) >= 0);
  if (!classLayout) {
    const unknown = folders.find((name) => !isSplitFolder(name));
    if (unknown !== undefined) throw new Error(`${path.join(root, unknown)}: unknown folder "${unknown}", ${expected}`);
  }
  const files: ImageListing["files"] = [];
  const lines: string[] = [];
  let bytes = 0;
  let newestMtimeMs = fs.statSync(root).mtimeMs;
  const visit = (relative: string, depth: number) => {
    const folder = path.join(root, relative);
    newestMtimeMs = Math.max(newestMtimeMs, fs.statSync(folder).mtimeMs);
    for (const entry of readFolder(folder)) {
      const id = `${relative}/${entry.name}`;
      const full = path.join(root, id);
      if (depth === 0) {
        // a class folder, below train/ or test/
        if (!entry.isDirectory) continue;
        if (emotionIndex(entry.name) < 0) throw new Error(`${full}: unknown class folder "${entry.name}", expected one of ${EMOTIONS.join(", ")}`);
        visit(id, 1);
      } else if (entry.isDirectory) {
        throw new Error(`${full}: unexpected folder inside a class folder, expected only .jpg or .png faces`);
      } else if (!isFaceImageName(entry.name)) {
        throw new Error(`${full}: unsupported file, expected .jpg, .jpeg or .png faces`);
      } else {
        const stats = fs.statSync(full);
        files.push({id, size: stats.size});
        bytes += stats.size;
        newestMtimeMs = Math.max(newestMtimeMs, stats.mtimeMs);
        lines.push(`${id}\t${stats.size}\t${stats.mtimeMs}`);
        if (files.length % 1024 === 0) onProgress?.({stage: "listing", done: files.length, total: 0});
      }
    }
  };
  for (const name of folders) visit(name, classLayout ? 1 : 0);
  if (files.length === 0) throw new Error(`${root} holds no .jpg or .png faces, ${expected}`);
  onProgress?.({stage: "listing", done: files.length, total: files.length});
  const listing = {root, rootName: path.basename(root), files};
  return {listing, fingerprint: {files: files.length, bytes, newestMtimeMs, listing: sha1(lines.join("\n"))}};
}

/** Reads a folder of face images (either layout) into one dataset. */
export function readFer2013Folder(root: string, {onProgress}: {onProgress?: LoadFer2013Options["onProgress"]} = {}): Fer2013Dataset {
  statOrThrow(root);
  return readListedImages(listFaceImages(root, onProgress).listing, {onProgress});
}

function readListedImages({root, rootName, files}: ImageListing, {onProgress}: {onProgress?: LoadFer2013Options["onProgress"]}): Fer2013Dataset {
  const n = files.length;
  const dataset: Fer2013Dataset = {pixels: new Uint8Array(n * IMAGE_PIXELS), labels: new Uint8Array(n), splits: new Uint8Array(n), ids: []};
  for (let i = 0; i < n; i++) {
    const {id} = files[i];
    const file = path.join(root, id);
    const {label, split} = labelFaceImage(id, {rootName, file});
    dataset.pixels.set(decodeFaceImage(fs.readFileSync(file), file), i * IMAGE_PIXELS);
    dataset.labels[i] = label;
    dataset.splits[i] = split;
    dataset.ids.push(id);
    if ((i + 1) % 512 === 0 || i + 1 === n) onProgress?.({stage: "decoding", done: i + 1, total: n});
  }
  return dataset;
}

/** One JPEG or PNG file's bytes to the face's 2304 grey levels, under the policy of src/lib/fer2013-images.ts. */
export function decodeFaceImage(bytes: Uint8Array, file: string): Uint8Array {
  const {format, width, height} = imageSize(bytes, file);
  checkFaceSize({width, height}, file);
  let decoded: {width: number; height: number; data: Uint8Array};
  try {
    decoded = format === "jpeg"
      ? jpeg.decode(bytes, {useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxResolutionInMP: 1, maxMemoryUsageInMB: 16})
      : PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new Error(`${file}: corrupt ${format} (${String((error as Error).message ?? error).toLowerCase()}), expected a 48x48 face`);
  }
  return faceFromDecoded(decoded, file);
}

// ---------------------------------------------------------------------------------------------------------
// binary cache

interface CacheHeader {
  version: number;
  source: string;
  layout: "csv" | "folders";
  fingerprint: object;
  count: number;
  idsBytes: number;
}

function readCache(
  file: string,
  {source, fingerprint, onProgress}: {source: string; fingerprint: object; onProgress?: LoadFer2013Options["onProgress"]}
): Fer2013Dataset | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const prefix = Buffer.alloc(12);
    if (fs.readSync(fd, prefix, 0, 12, 0) !== 12 || !prefix.subarray(0, 8).equals(CACHE_MAGIC)) return undefined;
    const headerBytes = prefix.readUInt32LE(8);
    const headerBuffer = Buffer.alloc(headerBytes);
    if (fs.readSync(fd, headerBuffer, 0, headerBytes, 12) !== headerBytes) return undefined;
    const header = JSON.parse(headerBuffer.toString("utf8")) as CacheHeader;
    const stale = header.version !== CACHE_VERSION || header.source !== source
      || JSON.stringify(header.fingerprint) !== JSON.stringify(fingerprint);
    const n = header.count;
    if (stale || fs.fstatSync(fd).size !== 12 + headerBytes + n * (IMAGE_PIXELS + 2) + header.idsBytes) return undefined;
    onProgress?.({stage: "reading-cache", done: 0, total: n});
    let position = 12 + headerBytes;
    const read = (length: number) => {
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const got = fs.readSync(fd, out, done, length - done, position + done);
        if (got === 0) throw new Error(`${file}: truncated cache`);
        done += got;
      }
      position += length;
      return out;
    };
    const pixels = read(n * IMAGE_PIXELS), labels = read(n), splits = read(n);
    const ids = JSON.parse(Buffer.from(read(header.idsBytes)).toString("utf8")) as string[];
    onProgress?.({stage: "reading-cache", done: n, total: n});
    return {pixels, labels, splits, ids};
  } catch {
    return undefined; // an unreadable cache is only a slower load: rebuild it
  } finally {
    fs.closeSync(fd);
  }
}

function writeCache(
  file: string,
  dataset: Fer2013Dataset,
  {source, layout, fingerprint, onProgress}: {source: string; layout: "csv" | "folders"; fingerprint: object; onProgress?: LoadFer2013Options["onProgress"]}
): void {
  const n = dataset.labels.length;
  const ids = Buffer.from(JSON.stringify(dataset.ids), "utf8");
  const header: CacheHeader = {version: CACHE_VERSION, source, layout, fingerprint, count: n, idsBytes: ids.length};
  const headerBuffer = Buffer.from(JSON.stringify(header), "utf8");
  const lengthBuffer = Buffer.alloc(4);
  lengthBuffer.writeUInt32LE(headerBuffer.length);
  const temp = `${file}.${process.pid}.tmp`;
  onProgress?.({stage: "writing-cache", done: 0, total: n});
  try {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    const fd = fs.openSync(temp, "w");
    try {
      for (const part of [CACHE_MAGIC, lengthBuffer, headerBuffer, dataset.pixels, dataset.labels, dataset.splits, ids]) {
        for (let done = 0; done < part.length;) done += fs.writeSync(fd, part, done, part.length - done);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    onProgress?.({stage: "writing-cache", done: n, total: n});
  } catch (error) {
    fs.rmSync(temp, {force: true});
    // A read-only checkout still loads, only without the speed-up.
    process.emitWarning(`cannot write the fer2013 cache ${file}: ${(error as Error).message}`);
  }
}

function sha1(text: string): string {
  return crypto.createHash("sha1").update(text).digest("hex");
}
