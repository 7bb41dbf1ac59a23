// Runs a model over faces in model-input form (see preprocess.ts) in batches, optionally averaging views of
// each face (test-time augmentation: its mirror image, or crops and their mirrors; augment.ts's ttaViews).
// Shared by `npm run evaluate`, the report's loaders and the browser.

import * as tf from "@tensorflow/tfjs";
import {IMAGE_PIXELS} from "./dataset.js";
import {INPUT_SHAPE} from "./preprocess.js";
import {flipBatch, ttaViews, type TtaMode} from "./augment.js";

export interface PredictOptions {
  batchSize?: number;
  /** Average the probabilities of each face and its horizontal mirror (tta: "flip"). */
  flip?: boolean;
  /** Test-time averaging; "flip" is the same as flip: true. */
  tta?: TtaMode;
}

/** Class probabilities, N x classes, for N faces of 2304 model-input values each. */
export async function predictFaces(model: tf.LayersModel, input: Float32Array, {batchSize = 256, flip = false, tta}: PredictOptions = {}): Promise<Float32Array> {
  if (tta === "crops") return averageViews(model, ttaViews(input, "crops"), batchSize);
  flip ||= tta === "flip";
  const count = input.length / IMAGE_PIXELS;
  const classes = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const faces = input.subarray(start * IMAGE_PIXELS, (start + size) * IMAGE_PIXELS);
    const probabilities = tf.tidy(() => {
      const x = tf.tensor4d(faces, [size, ...INPUT_SHAPE]);
      const p = model.predict(x) as tf.Tensor;
      if (!flip) return p;
      const mirrored = model.predict(tf.tensor4d(flipBatch(faces), [size, ...INPUT_SHAPE])) as tf.Tensor;
      return tf.div(tf.add(p, mirrored), 2);
    });
    out.set(await probabilities.data(), start * classes);
    probabilities.dispose();
  }
  return out;
}

/** The mean of the model's probabilities over equally long views of the same faces. */
async function averageViews(model: tf.LayersModel, views: Float32Array[], batchSize: number): Promise<Float32Array> {
  let sum: Float32Array | null = null;
  for (const view of views) {
    const p = await predictFaces(model, view, {batchSize});
    if (!sum) sum = p;
    else for (let i = 0; i < sum.length; i++) sum[i] += p[i];
  }
  return sum!.map((v) => v / views.length);
}
