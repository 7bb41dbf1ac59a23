// Inference-time rewrite for the browser: the model's final softmax moves out of the graph and into plain
// JavaScript. On WebGL a softmax over 7 numbers is still several shader passes (max, subtract, exp, sum,
// divide), each with a fixed cost that dwarfs the arithmetic; on seven numbers JavaScript is instant.
// Pure tfjs; `tf` is passed in (browser or Node).

import type * as TF from "@tensorflow/tfjs";

type Tf = typeof TF;

/**
 * A model with the same weights whose output is the logits of `model`'s final softmax Dense layer;
 * null when the model does not end in one (then keep using `model` itself).
 */
export function logitsModel(tf: Tf, model: TF.LayersModel): TF.LayersModel | null {
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig() as {activation?: string};
  if (last.getClassName() !== "Dense" || config.activation !== "softmax" || model.outputs.length !== 1) return null;
  const dense = tf.layers.dense({...(config as TF.serialization.ConfigDict), activation: "linear", name: `${last.name}_logits`} as never) as TF.layers.Layer;
  const logits = dense.apply(last.input as TF.SymbolicTensor) as TF.SymbolicTensor;
  const rewritten = tf.model({inputs: model.inputs, outputs: logits, name: `${model.name}_logits`});
  dense.setWeights(last.getWeights());
  return rewritten;
}

/** Row-wise softmax of `rows` x `classes` logits, in float32 like tfjs, max-subtracted for stability. */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  if (classes < 1 || logits.length % classes !== 0) throw new Error(`softmaxRows: ${logits.length} logits are not rows of ${classes}`);
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += classes) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[row + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[row + k] = Math.exp(logits[row + k] - max);
    for (let k = 0; k < classes; k++) out[row + k] /= sum;
  }
  return out;
}
