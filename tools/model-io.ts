// Model folders on disk, the one home of their I/O: model.json + weight shards (tfjs layers format, read
// through src/lib/model-artifacts.ts as the browser reads them), the JSON files beside them, and
// src/models/models.json (through src/lib/models-index.ts). Every write goes to a temporary name and is
// renamed into place, so a killed process leaves either the old file or the new one, never half of each.

import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {MODEL_FILES, temperatureOf, validateCalibration, validateMetadata, type ModelCalibration} from "../src/lib/model-folder.js";
import {modelFromArtifacts, weightShardsOf} from "../src/lib/model-artifacts.js";
import {MODELS_INDEX_FILE, addToModelsIndex, parseModelsIndex, withEnsembleCalibration, type ModelsIndex} from "../src/lib/models-index.js";
import {storedBytes, storedDtype} from "../src/lib/quantize.js";

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

/** What `npm run evaluate -- --model DIR` (or calibration) names: a model folder, or an ensemble of the models.json beside it. */
export interface EvaluationTarget {
  /** The model's architecture, or "ensemble". */
  architecture: string;
  /** An ensemble's member folders, in its order; null for a model folder. */
  members: {name: string; dir: string}[] | null;
  /** The weights evaluated (all members' for an ensemble): stored dtype(s) and shard bytes. */
  weights: {dtype: string; bytes: number};
  /** Its calibrated temperature: metadata.json's calibration, or the ensemble entry's in models.json (1 without one). */
  temperature: number;
}

function storedWeights(dir: string): {dtype: string; bytes: number} {
  // Which weights these numbers belong to: an exported model may hold uint8 or float16 weights.
  const specs = (readJson<tf.io.ModelJSON>(path.join(dir, MODEL_FILES.model)).weightsManifest ?? []).flatMap((group) => group.weights);
  return {dtype: storedDtype(specs), bytes: specs.reduce((sum, spec) => sum + storedBytes(spec), 0)};
}

/** The ensemble entry DIR names in the models.json beside it, or undefined. */
function ensembleAt(dir: string) {
  const modelsDir = path.dirname(dir);
  if (!fs.existsSync(path.join(modelsDir, MODELS_INDEX_FILE))) return undefined;
  return readModelsIndex(modelsDir).ensembles.find((e) => e.name === path.basename(dir));
}

/** Reads what DIR names (see EvaluationTarget); throws when it is neither a model folder nor an ensemble. */
export function readEvaluationTarget(dir: string): EvaluationTarget {
  if (fs.existsSync(path.join(dir, MODEL_FILES.model))) {
    const metadata = validateMetadata(readJson(path.join(dir, MODEL_FILES.metadata)), path.join(dir, MODEL_FILES.metadata));
    return {architecture: metadata.architecture, members: null, weights: storedWeights(dir), temperature: temperatureOf(metadata)};
  }
  const modelsDir = path.dirname(dir);
  const ensemble = ensembleAt(dir);
  if (!ensemble) {
    if (!fs.existsSync(dir)) throw new Error(`model folder ${dir} does not exist`);
    throw new Error(`${dir} holds no ${MODEL_FILES.model} and is not an ensemble of ${path.join(modelsDir, MODELS_INDEX_FILE)}: expected a model folder written by npm run train or npm run export`);
  }
  const members = ensemble.members.map((member) => ({name: member, dir: path.join(modelsDir, member)}));
  const each = members.map((member) => storedWeights(member.dir));
  return {
    architecture: "ensemble",
    members,
    weights: {dtype: [...new Set(each.map((w) => w.dtype))].join("+"), bytes: each.reduce((sum, w) => sum + w.bytes, 0)},
    temperature: temperatureOf(ensemble)
  };
}

/**
 * Stores a fitted calibration where readEvaluationTarget reads it: DIR/metadata.json's `calibration` for a
 * model folder, the ensemble's entry in the models.json beside DIR for an ensemble. Returns the file written.
 */
export function writeCalibration(dir: string, calibration: ModelCalibration): string {
  validateCalibration(calibration, dir);
  if (fs.existsSync(path.join(dir, MODEL_FILES.model))) {
    const file = path.join(dir, MODEL_FILES.metadata);
    const metadata = validateMetadata(readJson(file), file);
    writeJsonAtomic(file, {...metadata, calibration});
    return file;
  }
  if (!ensembleAt(dir)) throw new Error(`${dir} is neither a model folder nor an ensemble of ${path.join(path.dirname(dir), MODELS_INDEX_FILE)}`);
  const file = path.join(path.dirname(dir), MODELS_INDEX_FILE);
  const index = withEnsembleCalibration(readJson(file), {name: path.basename(dir), calibration});
  parseModelsIndex(index, file);
  writeJsonAtomic(file, index);
  return file;
}
