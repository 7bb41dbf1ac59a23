// `npm run bench -- NAME [flags]`: runs one benchmark and prints its JSON result on stdout.
//
// Adding a bench: write tools/bench/NAME.ts exporting
//   export async function runBench(argv: string[]): Promise<object>   // argv = the flags after NAME
// and list it in BENCHES below. Progress goes to stderr; the returned object is printed as the one JSON result.

import {printJson, runCli} from "./cli.js";

interface BenchModule {
  runBench(argv: string[]): Promise<object>;
}

const BENCHES: Record<string, {load: () => Promise<BenchModule>; about: string}> = {
  ingest: {load: () => import("./bench/ingest.js"), about: "FER2013 load: folders cold and cached, fer2013.csv, peak memory"},
  train: {load: () => import("./bench/train.js"), about: "training and inference throughput per model and backend"},
  browser: {load: () => import("./bench/browser.js"), about: "in-page classifier speed in headless chromium"},
  pipeline: {load: () => import("./bench/pipeline.js"), about: "find -> align -> crop -> classify on generated PrivateTest scenes, and the camera loop, in headless chromium"},
  "crop-sizes": {load: () => import("./bench/crop-sizes.js"), about: "which crop sizes a photo's faces are read at: the photo pipeline replayed in Node on the pipeline bench's scenes"},
  "photo-models": {load: () => import("./bench/photo-models.js"), about: "which model reads photos best end to end: the photo pipeline replayed in Node on generated PublicTest scenes, every model on the same faces"},
  memory: {load: () => import("./bench/memory.js"), about: "the classifier page's memory over repeated uploads of a large picture"},
  personal: {load: () => import("./bench/personal.js"), about: "Tune to me: accuracy recovered for a simulated reader, and tuning time per backend"}
};

runCli(async () => {
  const [name, ...argv] = process.argv.slice(2);
  const names = Object.keys(BENCHES).join(", ");
  if (!name || name.startsWith("-")) throw new Error(`missing bench name, expected one of ${names} (npm run bench -- NAME)`);
  const bench = Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (!bench) throw new Error(`unknown bench "${name}", expected one of ${names}`);
  const module = await bench.load();
  printJson(await module.runBench(argv));
});
