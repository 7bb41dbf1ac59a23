// Runs before `observable build` / `observable preview`: keeps Framework's cached loader outputs honest.
// Framework re-runs a data loader only when the loader file itself changes, not when the shared code it
// imports (src/lib), the committed snapshot or the dataset (FER2013_PATH) changes. So this clears
// src/.observablehq/cache/data/ whenever a key over those inputs differs from the last build's, then
// fills the FER2013 binary cache once, so that every loader after it reads the dataset in about a second.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {fer2013Available, loadFer2013, resolveFer2013Path} from "../src/lib/node/fer2013.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOADER_CACHE_DIR = path.join(ROOT, "src", ".observablehq", "cache", "data");
const KEY_FILE = path.join(ROOT, "src", ".observablehq", "cache", "loader-inputs.key");
// The shipped models and the code that runs them feed the model loaders (evaluations, activations).
const HASHED_DIRS = ["src/lib", "src/data/snapshot", "src/models"];

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** A hash of everything a loader reads besides its own file. */
function loaderInputsKey(): string {
  const hash = crypto.createHash("sha256");
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

async function main(): Promise<void> {
  const key = loaderInputsKey();
  const previous = fs.existsSync(KEY_FILE) ? fs.readFileSync(KEY_FILE, "utf-8") : "";
  if (key !== previous && fs.existsSync(LOADER_CACHE_DIR)) {
    fs.rmSync(LOADER_CACHE_DIR, {recursive: true, force: true});
    process.stderr.write("loader-cache: src/lib, the snapshot, the models or the dataset changed: cleared src/.observablehq/cache/data\n");
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

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
