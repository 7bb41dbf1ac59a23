// The classifier page's photo panel replayed in Node over the pipeline bench's generated scenes (tools/scenes.ts):
// the page's face finder in photo mode (src/lib/face-finder.ts on tfjs's WebAssembly backend, tools/detectors.ts),
// each pasted face matched to a detection by tools/scenes.ts's rule, and the page's crop (cropFace) of each found
// face at the crop sizes asked for. No model runs here: the crops are read afterwards by as many models as a bench
// wants, so that they all see the same detections. Used by `npm run bench -- crop-sizes` and `-- photo-models`.
// Only aggregates may leave a bench: the faces and crops stay in memory.

import {SPLITS, type Split} from "../src/lib/labels.js";
import {splitIndices} from "../src/lib/dataset.js";
import {cropFace} from "../src/lib/face-crop.js";
import {facesToInput} from "../src/lib/preprocess.js";
import {fer2013Available, loadFer2013} from "./fer2013.js";
import {assign, poolFace, sceneSet, type FacePool} from "./scenes.js";
import {createNodeFaceFinder, useWasmBackend} from "./detectors.js";

/** One pasted face: its label and height, and whether the photo finder found it. */
export interface ReplayedFace {
  label: number;
  size: number;
  found: boolean;
}

export interface PhotoReplay {
  split: Split;
  faces: ReplayedFace[];
  /** Indices into `faces` of the found ones, in order. */
  found: number[];
  /** Per scale asked for, the model inputs of the found faces (48x48 each, `found` order), stacked. */
  crops: Float32Array[];
  /** Model inputs of every pasted face's original 48x48 crop (`faces` order), stacked. */
  originals: Float32Array;
}

/** `--split` of the benches that replay photos: one of FER2013's splits, by its official name. */
export function parseSplit(text: string | undefined, fallback: Split): Split {
  if (text === undefined) return fallback;
  if (!(SPLITS as readonly string[]).includes(text)) throw new Error(`invalid --split "${text}": expected one of ${SPLITS.join(", ")}`);
  return text as Split;
}

function stack<T extends Float32Array | Uint8Array>(inputs: T[], make: (length: number) => T): T {
  const out = make(inputs.reduce((sum, input) => sum + input.length, 0));
  let at = 0;
  for (const input of inputs) (out.set(input, at), (at += input.length));
  return out;
}

/**
 * Builds `faceScenes` scenes of `split`'s faces from `seed`, finds their faces as the photo panel does and crops
 * every found face at each of `scales` (1 first if present; the page's own crop is scale 1). Needs FER2013.
 */
export async function replayPhotos({split, seed, faceScenes, scales, log, bench}: {
  split: Split;
  seed: number;
  faceScenes: number;
  scales: readonly number[];
  log: (message: string) => void;
  /** The bench's name, for the error without FER2013. */
  bench: string;
}): Promise<PhotoReplay> {
  if (!(Number.isInteger(faceScenes) && faceScenes >= 1)) throw new Error(`invalid --scenes ${faceScenes}: expected a whole number, at least 1`);
  if (!fer2013Available()) throw new Error(`the ${bench} bench needs FER2013 (its ${split} faces): set FER2013_PATH or put it in data/fer2013`);
  await useWasmBackend();
  const finder = await createNodeFaceFinder();
  const dataset = await loadFer2013();
  const pool: FacePool = {pixels: dataset.pixels, labels: dataset.labels, indices: splitIndices(dataset, split)};

  const faces: ReplayedFace[] = [];
  const found: number[] = [];
  const crops: Float32Array[][] = scales.map(() => []);
  const originals: Uint8Array[] = [];
  const others = scales.filter((s) => s !== 1);
  const started = Date.now();
  let done = 0;
  for (const scene of sceneSet({seed, faceScenes, emptyScenes: 0, pool})) {
    const detections = finder.detect(scene.image, "photo");
    const {faceToDetection} = assign(detections, scene.faces);
    scene.faces.forEach((face, k) => {
      const d = faceToDetection[k];
      faces.push({label: face.label, size: face.size, found: d >= 0});
      originals.push(poolFace(pool, face.index));
      if (d < 0) return;
      found.push(faces.length - 1);
      const crop = cropFace(scene.image, detections[d], {scales: [1, ...others]});
      scales.forEach((s, i) => crops[i].push(s === 1 ? crop.input : crop.views![others.indexOf(s)]));
    });
    if (++done % 100 === 0) log(`${done}/${faceScenes} scenes, ${faces.length} faces, ${((Date.now() - started) / done).toFixed(0)} ms a scene`);
  }
  const floats = (length: number) => new Float32Array(length);
  return {split, faces, found, crops: crops.map((c) => stack(c, floats)), originals: facesToInput(stack(originals, (length) => new Uint8Array(length)))};
}
