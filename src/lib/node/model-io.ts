// Reads and writes tfjs layers-model folders (model.json + weights.bin) with node:fs, since tfjs-node's
// file:// handler is not available here; shared by the training CLIs and the model pages' loaders. Every
// write goes to a temporary name and is renamed into place, so a killed process leaves either the old
// files or the new ones, never half of each.

import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import path from "node:path";
import {MODEL_FILES} from "../model-folder.ts";

/** Writes a file atomically: to a temporary sibling, then renamed over the target. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

export function readJson<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`cannot read ${file}: no such file`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A standalone ArrayBuffer holding exactly the bytes of `bytes` (Node's Buffers share a pool). */
export function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function toBytes(data: tf.io.WeightData): Uint8Array {
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer);
}

/** Saves `model` as DIR/model.json + DIR/weights.bin (tfjs layers format, one weight shard). */
export async function saveModelFolder(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, {recursive: true});
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = toBytes(artifacts.weightData ?? new ArrayBuffer(0));
      // Weights first: model.json names them, so it must never point at a shard that is not there yet.
      writeFileAtomic(path.join(dir, MODEL_FILES.weights), weights);
      writeJsonAtomic(path.join(dir, MODEL_FILES.model), {
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? []}]
      });
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.byteLength}};
    })
  );
}

/** Loads DIR/model.json and the weight shards it lists (float32 or quantized). */
export async function loadModelFolder(dir: string): Promise<tf.LayersModel> {
  const modelFile = path.join(dir, MODEL_FILES.model);
  if (!fs.existsSync(modelFile)) throw new Error(`no model in ${dir}: ${modelFile} not found`);
  const json = readJson<tf.io.ModelJSON>(modelFile);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const shard of group.paths) {
      const file = path.join(dir, shard);
      if (!fs.existsSync(file)) throw new Error(`${modelFile} lists weight file ${shard}, which is not in ${dir}`);
      shards.push(fs.readFileSync(file));
    }
  }
  const weightData = tf.io.concatenateArrayBuffers(shards.map(copyToArrayBuffer));
  return tf.loadLayersModel(tf.io.fromMemory({modelTopology: json.modelTopology, weightSpecs: specs, weightData}));
}
