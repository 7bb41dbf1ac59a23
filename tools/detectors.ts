// What Node needs to run the classifier page's face finder (src/lib/face-finder.ts) as the page does: the
// detectors' weights from src/detectors, and tfjs's WebAssembly backend. Used by `npm run bench -- crop-sizes`
// and the finder's tests.

import fs from "node:fs";
import path from "node:path";
import {createRequire} from "node:module";
import {fileURLToPath} from "node:url";
import * as tf from "@tensorflow/tfjs";
import {setWasmPaths} from "@tensorflow/tfjs-backend-wasm";
import {createFaceFinder, type FaceFinder, type ModelFiles} from "../src/lib/face-finder.js";

const DETECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/detectors");

/** A detector's model.json and weight files (src/detectors/NAME.json and the files its manifest names). */
export function detectorFiles(name: string): ModelFiles {
  const modelJson = JSON.parse(fs.readFileSync(path.join(DETECTORS, `${name}.json`), "utf8"));
  const weights = modelJson.weightsManifest
    .flatMap((group: {paths: string[]}) => group.paths)
    .map((file: string) => {
      const bytes = fs.readFileSync(path.join(DETECTORS, file));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    });
  return {modelJson, weights};
}

/** Makes tfjs's WebAssembly backend (its .wasm files read from the installed package) the current one. */
export async function useWasmBackend(): Promise<void> {
  const require = createRequire(import.meta.url);
  setWasmPaths(path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep);
  if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs wasm backend did not start");
  await tf.ready();
}

/** The page's face finder, with the page's weights, on the current tfjs backend. */
export function createNodeFaceFinder(): Promise<FaceFinder> {
  return createFaceFinder(tf, {short: detectorFiles("facemesh-detection-short"), back: detectorFiles("blazeface-back"), check: detectorFiles("facemesh")});
}
