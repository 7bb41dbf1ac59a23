// Model folders on disk, the one home of their I/O: model.json + weight shards (tfjs layers format, read
// through src/lib/model-artifacts.ts as the browser reads them), the JSON files beside them, and
// src/models/models.json (through src/lib/models-index.ts). Every write goes to a temporary name and is
// renamed into place, so a killed process leaves either the old file or the new one, never half of each.

import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {MODEL_FILES, validateMetadata} from "../src/lib/model-folder.js";
import {modelFromArtifacts, weightShardsOf} from "../src/lib/model-artifacts.js";
import {MODELS_INDEX_FILE, addToModelsIndex, parseModelsIndex, type ModelsIndex} from "../src/lib/models-index.js";

/** src/models: the shipped models and models.json. FER_MODELS_DIR points the report's loaders elsewhere. */
export const SHIPPED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/models");

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

/** JSON beside a model (history.json, evaluation.json), or null when the folder has none. */
export function readOptionalJson<T>(file: string): T | null {
  return fs.existsSync(file) ? readJson<T>(file) : null;
}

/** A standalone ArrayBuffer holding exactly the bytes of `bytes` (Node's Buffers share a pool). */
export function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** DIR/model.json and its weight shards joined in order; every shard it names must be there. */
export function readModelArtifacts(dir: string): {modelJson: tf.io.ModelJSON; weightData: ArrayBuffer; shardBytes: number[]; source: string} {
  const source = path.join(dir, MODEL_FILES.model);
  if (!fs.existsSync(source)) throw new Error(`no model in ${dir}: ${source} not found`);
  const modelJson = readJson<tf.io.ModelJSON>(source);
  if (modelJson == null || typeof modelJson !== "object") throw new Error(`${source}: expected a tfjs layers model.json object`);
  const shards = weightShardsOf(modelJson).map((shard) => {
    const file = path.join(dir, shard);
    if (!fs.existsSync(file)) throw new Error(`${source} lists weight file ${shard}, which is not in ${dir}`);
    return fs.readFileSync(file);
  });
  const weightData = copyToArrayBuffer(Buffer.concat(shards));
  return {modelJson, weightData, shardBytes: shards.map((shard) => shard.byteLength), source};
}

/** Loads DIR/model.json and the weight shards it lists (float32 or quantized). */
export async function loadModelFolder(dir: string): Promise<tf.LayersModel> {
  return modelFromArtifacts(tf, readModelArtifacts(dir));
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

/** A model named on the command line: a folder that exists as given, else a shipped model's name (src/models/NAME). */
export function resolveModelFolder(item: string, {shippedDir = SHIPPED_MODELS_DIR, flag = "--model"}: {shippedDir?: string; flag?: string} = {}): string {
  const folder = fs.existsSync(item) ? path.resolve(item) : path.join(shippedDir, item);
  if (!fs.existsSync(path.join(folder, MODEL_FILES.model))) {
    throw new Error(`${flag}: "${item}" is neither a model folder nor a model in ${shippedDir} (expected ${MODEL_FILES.model} in ${folder})`);
  }
  return folder;
}

/** DIR/models.json, parsed and checked (default first). */
export function readModelsIndex(modelsDir: string = SHIPPED_MODELS_DIR): ModelsIndex {
  const file = path.join(modelsDir, MODELS_INDEX_FILE);
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: expected {"default": NAME, "models": [...]} (ship a model with npm run export)`);
  return parseModelsIndex(readJson(file), file);
}

/** The architecture of the default shipped model: what `npm run train` builds when no --model is given. */
export function defaultArchitecture(modelsDir: string = SHIPPED_MODELS_DIR): string {
  const file = path.join(modelsDir, readModelsIndex(modelsDir).default, MODEL_FILES.metadata);
  return validateMetadata(readJson(file), file).architecture;
}

/** Lists `name` in DIR/models.json (creating it), and names it default with `makeDefault`; returns the new default. */
export function addToModelsFile(modelsDir: string, {name, makeDefault}: {name: string; makeDefault: boolean}): string {
  const file = path.join(modelsDir, MODELS_INDEX_FILE);
  const index = addToModelsIndex(fs.existsSync(file) ? readJson(file) : null, {name, makeDefault});
  parseModelsIndex(index, file);
  writeJsonAtomic(file, index);
  return index.default;
}
