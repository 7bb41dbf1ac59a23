// The ingest benchmark (`npm run bench -- ingest [--data PATH]`): seconds to load the full FER2013 from the
// image folders with the binary cache removed ("cold") and from the cache, seconds to parse a full-size
// fer2013.csv, and peak memory. Each load runs in its own Node process, as a user's `npm run ingest` would,
// so timings include module loading and the peak RSS is the load's own. "Cold" means no binary cache; the
// operating system's file cache may still hold the files.
// With image folders only, the CSV is synthetic: written once from the folders into .cache/bench/
// (git-ignored, never committed), in Kaggle's layout, and read through the same reader as a real one.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {spawnSync} from "node:child_process";
import {fileURLToPath, pathToFileURL} from "node:url";
import {SPLITS} from "../../src/lib/labels.js";
import {IMAGE_PIXELS, datasetSize, type Fer2013Dataset} from "../../src/lib/dataset.js";
import {loadFer2013, resolveFer2013Path} from "../fer2013.js";
import {parseFlags, printJson, runCli} from "../cli.js";

const BENCH_DIR = ".cache/bench";
const TARGETS = {foldersColdSeconds: 20, cachedSeconds: 2, csvSeconds: 15, peakRssMB: 1024};

interface LoadRun {
  seconds: number;
  cached: boolean;
  images: number;
  layout: string;
  peakRssMB: number;
}

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {data: "string"});
  const source = resolveFer2013Path(flags.data);
  const cacheDir = path.resolve(BENCH_DIR, "fer2013-cache");
  fs.rmSync(cacheDir, {recursive: true, force: true});
  log(`cold load (no binary cache) of ${source}`);
  const cold = timeLoad(source, cacheDir);
  log(`cold: ${cold.seconds.toFixed(2)} s; cached load`);
  const cached = timeLoad(source, cacheDir);
  log(`cached: ${cached.seconds.toFixed(2)} s`);

  let csv: {file: string; synthetic: boolean; bytes: number; run: LoadRun};
  if (cold.layout === "csv") {
    csv = {file: source, synthetic: false, bytes: fs.statSync(source).size, run: cold};
  } else {
    const file = path.resolve(BENCH_DIR, "fer2013-synthetic.csv");
    if (!fs.existsSync(file)) {
      log(`writing a synthetic full-size csv to ${file}`);
      writeFer2013Csv(await loadFer2013({path: source, cacheDir}), file);
    }
    const csvCacheDir = path.resolve(BENCH_DIR, "csv-cache");
    fs.rmSync(csvCacheDir, {recursive: true, force: true});
    log(`csv load of ${file}`);
    csv = {file, synthetic: true, bytes: fs.statSync(file).size, run: timeLoad(file, csvCacheDir)};
    log(`csv: ${csv.run.seconds.toFixed(2)} s`);
    fs.rmSync(csvCacheDir, {recursive: true, force: true});
  }
  fs.rmSync(cacheDir, {recursive: true, force: true});
  const peakRssMB = Math.max(cold.peakRssMB, cached.peakRssMB, csv.run.peakRssMB);
  return {
    source,
    layout: cold.layout,
    images: cold.images,
    coldSeconds: cold.seconds,
    cachedSeconds: cached.seconds,
    csvSeconds: csv.run.seconds,
    csv: {file: csv.file, synthetic: csv.synthetic, megabytes: round(csv.bytes / 2 ** 20)},
    peakRssMB,
    peakRssMBPerRun: {cold: cold.peakRssMB, cached: cached.peakRssMB, csv: csv.run.peakRssMB},
    targets: TARGETS,
    met: {
      cold: cold.layout === "csv" ? cold.seconds < TARGETS.csvSeconds : cold.seconds < TARGETS.foldersColdSeconds,
      cached: cached.seconds < TARGETS.cachedSeconds,
      csv: csv.run.seconds < TARGETS.csvSeconds,
      memory: peakRssMB < TARGETS.peakRssMB
    },
    machine: {cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]), node: process.version}
  };
}

/** One load of `source` in a fresh Node process. */
function timeLoad(source: string, cacheDir: string): LoadRun {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ["--import", "tsx", self, "--child", "--data", source, "--cache-dir", cacheDir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 20
  });
  if (child.status !== 0) throw new Error(`bench load of ${source} failed: ${child.stderr.trim().split("\n").pop()}`);
  return JSON.parse(child.stdout) as LoadRun;
}

/** Writes a dataset in Kaggle's fer2013.csv layout (emotion,pixels,Usage), digits straight into bytes. */
export function writeFer2013Csv(dataset: Fer2013Dataset, file: string): void {
  const digits = Array.from({length: 256}, (_, v) => Buffer.from(String(v), "latin1"));
  const row = Buffer.alloc(4 * IMAGE_PIXELS + 32);
  fs.mkdirSync(path.dirname(file), {recursive: true});
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, "w");
  try {
    fs.writeSync(fd, "emotion,pixels,Usage\n");
    for (let i = 0, n = datasetSize(dataset); i < n; i++) {
      let at = row.write(`${dataset.labels[i]},`, 0, "latin1");
      for (let k = 0; k < IMAGE_PIXELS; k++) {
        if (k > 0) row[at++] = 32;
        const text = digits[dataset.pixels[i * IMAGE_PIXELS + k]];
        at += text.copy(row, at);
      }
      at += row.write(`,${SPLITS[dataset.splits[i]]}\n`, at, "latin1");
      fs.writeSync(fd, row, 0, at);
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

function log(message: string): void {
  process.stderr.write(`bench ingest: ${message}\n`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

// Child mode: one load, its seconds and peak RSS as JSON.
async function child(): Promise<void> {
  const {flags} = parseFlags(process.argv.slice(2), {child: "boolean", data: "string", "cache-dir": "string"});
  const started = performance.now();
  const dataset = await loadFer2013({path: flags.data, cacheDir: flags["cache-dir"]});
  const seconds = (performance.now() - started) / 1000;
  const run: LoadRun = {
    seconds: round(seconds),
    cached: dataset.cached,
    images: datasetSize(dataset),
    layout: dataset.layout,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024)
  };
  printJson(run);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runCli(child);
