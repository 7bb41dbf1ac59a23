// `npm run bench -- NAME [flags]`: runs one benchmark and prints its JSON result on stdout.
//
// Adding a bench: write training/bench-NAME.ts exporting
//   export async function runBench(argv: string[]): Promise<object>   // argv = the flags after NAME
// and list it in BENCHES below (train and browser are listed already, for their owners to write).
// Progress goes to stderr; the returned object is printed as the one JSON result.

import fs from "node:fs";
import {fileURLToPath} from "node:url";
import {printJson, runCli} from "./cli.ts";

interface BenchModule {
  runBench(argv: string[]): Promise<object>;
}

const BENCHES: Record<string, {file: string; about: string}> = {
  ingest: {file: "./bench-ingest.ts", about: "FER2013 load: folders cold and cached, fer2013.csv, peak memory"},
  train: {file: "./bench-train.ts", about: "training and inference throughput per model and backend"},
  browser: {file: "./bench-browser.ts", about: "in-page classifier speed in headless chromium"}
};

runCli(async () => {
  const [name, ...argv] = process.argv.slice(2);
  const names = Object.keys(BENCHES).join(", ");
  if (!name || name.startsWith("-")) throw new Error(`missing bench name, expected one of ${names} (npm run bench -- NAME)`);
  const bench = Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (!bench) throw new Error(`unknown bench "${name}", expected one of ${names}`);
  const url = new URL(bench.file, import.meta.url);
  if (!fs.existsSync(fileURLToPath(url))) throw new Error(`bench "${name}" is not written yet: training/${bench.file.slice(2)} is missing`);
  const module = (await import(url.href)) as BenchModule;
  printJson(await module.runBench(argv));
});
