// What each convolution block of a model computes for one face: the model rebuilt from model.json and its
// weight bytes (model-artifacts.ts) with one extra output per block, run on a 48x48 face through the one
// model-input contract (preprocess.ts). tfjs is passed in: the architecture page runs it in the browser.

import type * as TF from "@tensorflow/tfjs";
import {modelFromArtifacts} from "./model-artifacts.js";
import {facesToInput, INPUT_SHAPE} from "./preprocess.js";
import type {BlockOutput} from "./model-pages.js";

export interface BlockValues extends BlockOutput {
  /** height x width x channels values (HWC, as tfjs returns them). */
  values: Float32Array;
}

export interface ActivationProbe {
  blocks: BlockOutput[];
  /** Every block's activation and the 7 class probabilities for one face (2304 grey levels). */
  run(pixels: Uint8Array): {blocks: BlockValues[]; probabilities: number[]};
}

export async function openActivationProbe(
  tf: typeof TF,
  {modelJson, weightData, blocks}: {modelJson: TF.io.ModelJSON; weightData: ArrayBuffer; blocks: BlockOutput[]}
): Promise<ActivationProbe> {
  const network = await modelFromArtifacts(tf, {modelJson, weightData});
  const probe = tf.model({inputs: network.inputs, outputs: [...blocks.map((b) => network.getLayer(b.layer).output as TF.SymbolicTensor), network.outputs[0]]});
  return {
    blocks,
    run(pixels) {
      const outputs = tf.tidy(() => probe.predict(tf.tensor4d(facesToInput(pixels, [0]), [1, ...INPUT_SHAPE])) as TF.Tensor[]);
      const values = outputs.map((output) => output.dataSync() as Float32Array);
      tf.dispose(outputs);
      return {blocks: blocks.map((b, k) => ({...b, values: values[k]})), probabilities: Array.from(values[values.length - 1])};
    }
  };
}
