// Runs before `observable build` / `observable preview`: keeps Framework's cached loader outputs honest.
// Framework re-runs a data loader only when the loader file itself changes, not when the code it imports,
// the committed snapshot, the shipped models or the dataset (FER2013_PATH) changes. So this clears
// src/.observablehq/cache/data/ whenever a key over those inputs differs from the last build's, then
// fills the FER2013 binary cache once, so that every loader after it reads the dataset in about a second.
// The code hashed is what the loaders import, file by file, except the training engine (engine/): its
// kernels give the same predictions to ~1e-6 whatever their version, and its own tests hold them to that.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {fer2013Available, loadFer2013, resolveFer2013Path} from "./fer2013.js";
import {parseFlags, runCli} from "./cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOADER_CACHE_DIR = path.join(ROOT, "src", ".observablehq", "cache", "data");
const KEY_FILE = path.join(ROOT, "src", ".observablehq", "cache", "loader-inputs.key");
// Besides the code: the committed aggregates and the shipped models (evaluations, activations).
const HASHED_DIRS = ["src/data/snapshot", "src/models"];
const LOADERS_DIR = path.join(ROOT, "src", "data");
const NOT_HASHED = path.join(ROOT, "engine") + path.sep;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The repository's TypeScript modules the loaders import, directly or not (engine/ excepted). */
function loaderModules(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || file.startsWith(NOT_HASHED) || !fs.existsSync(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, "utf-8");
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(path.resolve(path.dirname(file), match[1].replace(/\.js$/, ".ts")));
    }
  };
  for (const entry of fs.readdirSync(LOADERS_DIR)) if (entry.endsWith(".ts")) visit(path.join(LOADERS_DIR, entry));
  return [...seen].sort();
}

/** A hash of everything a loader reads besides its own file. */
function loaderInputsKey(): string {
  const hash = crypto.createHash("sha256");
  for (const file of loaderModules()) hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
  for (const dir of HASHED_DIRS) {
    for (const file of filesUnder(path.join(ROOT, dir))) hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
  }
  hash.update(`models:${process.env.FER_MODELS_DIR ?? ""}`);
  if (fer2013Available() || process.env.FER2013_PATH) {
    const source = resolveFer2013Path();
    hash.update(`dataset:${source}:${fs.statSync(source).mtimeMs}`);
  } else {
    hash.update("dataset:none");
  }
  return hash.digest("hex");
}

const USAGE = "tsx tools/loader-cache.ts (run by npm run build and npm run dev)\n\nClears Framework's cached loader outputs when what the loaders read changed, then fills the FER2013 cache.";

async function main(): Promise<void> {
  parseFlags(process.argv.slice(2), {}, USAGE);
  const key = loaderInputsKey();
  const previous = fs.existsSync(KEY_FILE) ? fs.readFileSync(KEY_FILE, "utf-8") : "";
  if (key !== previous && fs.existsSync(LOADER_CACHE_DIR)) {
    fs.rmSync(LOADER_CACHE_DIR, {recursive: true, force: true});
    process.stderr.write("loader-cache: the loaders' code, the snapshot, the models or the dataset changed: cleared src/.observablehq/cache/data\n");
  }
  fs.mkdirSync(path.dirname(KEY_FILE), {recursive: true});
  fs.writeFileSync(KEY_FILE, key);
  if (fer2013Available()) {
    const start = performance.now();
    const dataset = await loadFer2013();
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    process.stderr.write(`loader-cache: fer2013 ${dataset.labels.length} faces ${dataset.cached ? "already cached" : "cached"} (${seconds} s)\n`);
  } else {
    process.stderr.write("loader-cache: fer2013 not found (set FER2013_PATH): the report builds from src/data/snapshot\n");
  }
}

runCli(main);
