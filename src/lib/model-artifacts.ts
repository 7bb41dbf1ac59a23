// A tfjs layers model held in memory as its two parts, model.json and its weight bytes: the one way the
// browser (classifier, architecture page) and Node (tools/model-io.ts) turn them into a model, and the one
// way shards are accounted for. Pure: tfjs is passed in, so the browser's vendored copy and Node's are both fine.

import type * as TF from "@tensorflow/tfjs";
import {storedBytes} from "./quantize.js";

/** The weight file every joined model uses (one shard, as the site serves it). */
export const JOINED_WEIGHTS_FILE = "weights.bin";

/** Every weight spec of a model.json, in manifest order (the order the shards' bytes follow). */
export function weightSpecsOf(modelJson: TF.io.ModelJSON): TF.io.WeightsManifestEntry[] {
  return (modelJson.weightsManifest ?? []).flatMap((group) => group.weights);
}

/** The shard file names of a model.json, in the order their bytes are joined. */
export function weightShardsOf(modelJson: TF.io.ModelJSON): string[] {
  return (modelJson.weightsManifest ?? []).flatMap((group) => group.paths);
}

/** The bytes the weights take as stored (quantized ones included); the shards together must hold exactly this. */
export function expectedWeightBytes(modelJson: TF.io.ModelJSON): number {
  return weightSpecsOf(modelJson).reduce((sum, spec) => sum + storedBytes(spec), 0);
}

/** The same model.json with every shard joined into one weights.bin (pair it with the shards' bytes in order). */
export function joinedModelJson(modelJson: TF.io.ModelJSON): TF.io.ModelJSON {
  return {...modelJson, weightsManifest: [{paths: [JOINED_WEIGHTS_FILE], weights: weightSpecsOf(modelJson)}]};
}

/**
 * Builds the model from model.json and its weight bytes (all shards, joined in order). Throws, naming
 * `source`, when the bytes do not match what the manifest declares or the topology is missing.
 */
export async function modelFromArtifacts(
  tf: typeof TF,
  {modelJson, weightData, source = "model.json"}: {modelJson: TF.io.ModelJSON; weightData: ArrayBuffer; source?: string}
): Promise<TF.LayersModel> {
  if (modelJson == null || typeof modelJson !== "object" || modelJson.modelTopology == null || typeof modelJson.modelTopology !== "object") {
    throw new Error(`${source}: no model topology (expected a tfjs layers model.json)`);
  }
  const expected = expectedWeightBytes(modelJson);
  if (weightData.byteLength !== expected) {
    throw new Error(`${source}: its weights take ${expected} bytes, but the weight files hold ${weightData.byteLength}${weightData.byteLength < expected ? " (truncated?)" : ""}`);
  }
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({modelTopology: modelJson.modelTopology, weightSpecs: weightSpecsOf(modelJson), weightData}));
  } catch (error) {
    throw new Error(`${source}: not a loadable tfjs layers model (${error instanceof Error ? error.message : String(error)})`);
  }
}
