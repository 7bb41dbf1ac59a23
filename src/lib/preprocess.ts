// The one model-input contract: how 48x48 grey faces become the tensor every model reads.
// Node (training, evaluation, loaders) and the browser (classifier) both call facesToInput.

import {IMAGE_PIXELS, IMAGE_SIZE} from "./dataset.js";

/** What a model expects: 48x48x1 grey levels scaled to [0, 1] (pixel / 255). */
export const MODEL_INPUT = {
  width: IMAGE_SIZE,
  height: IMAGE_SIZE,
  channels: 1,
  color: "grayscale",
  scale: "pixel/255"
} as const;

export type ModelInput = typeof MODEL_INPUT;

/** The input shape of every model, without the batch dimension. */
export const INPUT_SHAPE = [MODEL_INPUT.height, MODEL_INPUT.width, MODEL_INPUT.channels] as const;

/**
 * Scales faces of 2304 grey levels each to [0, 1]. With `indices`, takes those faces (in that order)
 * out of `pixels`; without, converts every face in `pixels`. Returns N x 2304 floats (NHWC, C = 1).
 */
export function facesToInput(pixels: Uint8Array, indices?: ArrayLike<number>): Float32Array {
  const count = indices ? indices.length : Math.floor(pixels.length / IMAGE_PIXELS);
  if (!indices && pixels.length % IMAGE_PIXELS !== 0) {
    throw new Error(`facesToInput: ${pixels.length} pixels is not a multiple of ${IMAGE_PIXELS} (48x48)`);
  }
  const out = new Float32Array(count * IMAGE_PIXELS);
  for (let k = 0; k < count; k++) {
    const face = indices ? indices[k] : k;
    const src = face * IMAGE_PIXELS;
    if (src < 0 || src + IMAGE_PIXELS > pixels.length) {
      throw new Error(`facesToInput: face ${face} is out of range (${pixels.length / IMAGE_PIXELS} faces)`);
    }
    const dst = k * IMAGE_PIXELS;
    for (let p = 0; p < IMAGE_PIXELS; p++) out[dst + p] = pixels[src + p] / 255;
  }
  return out;
}
