// From a training run's folder to a shipped model folder: the weights re-encoded (uint8, float16 or kept
// float32) in tfjs's manifest format, metadata.json stamped with how they are stored, history.json copied,
// and models.json listing the model. The run folder is only read.

import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import path from "node:path";
import {addToModelsFile, readJson, readModelArtifacts, writeJsonAtomic} from "./model-io.js";
import {EVALUATION_SPLITS, MODEL_FILES, shardWeights, validateMetadata, type Evaluation, type ModelMetadata, type WeightsQuantization} from "../src/lib/model-folder.js";
import {expectedWeightBytes, weightSpecsOf} from "../src/lib/model-artifacts.js";
import {checkModelName} from "../src/lib/models-index.js";
import {DEFAULT_MIN_ELEMENTS, encodeWeights, type NamedWeight, type QuantizeDtype} from "../src/lib/quantize.js";

/** The weights of a tfjs layers-model folder, dequantized to their declared dtype, in manifest order. */
export function readFolderWeights(dir: string): NamedWeight[] {
  const {modelJson, weightData, source} = readModelArtifacts(dir);
  const specs = weightSpecsOf(modelJson);
  const expected = expectedWeightBytes(modelJson);
  if (weightData.byteLength !== expected) throw new Error(`${source}: its weights take ${expected} bytes, but the weight files hold ${weightData.byteLength}`);
  const tensors = tf.io.decodeWeights(weightData, specs);
  const weights = specs.map((spec) => {
    const tensor = tensors[spec.name];
    if (spec.dtype !== "float32" && spec.dtype !== "int32") throw new Error(`${source}: weight ${spec.name} is ${spec.dtype}, expected float32 or int32`);
    return {name: spec.name, shape: spec.shape, dtype: spec.dtype, values: tensor.dataSync() as Float32Array | Int32Array};
  });
  tf.dispose(Object.values(tensors));
  return weights;
}

export interface ExportOptions {
  /** A folder written by `npm run train` (model.json, weights, metadata.json, history.json). */
  runDir: string;
  name: string;
  /** Where models.json and the model folders live (src/models for the report). */
  outDir: string;
  dtype: QuantizeDtype;
  minElements?: number;
  makeDefault?: boolean;
}

export interface ExportResult {
  dir: string;
  name: string;
  quantization: WeightsQuantization;
  /** Weights stored quantized, and those left float32. */
  quantizedWeights: number;
  float32Weights: number;
  default: string;
}

/**
 * Writes OUT/NAME (replacing a previous export of that name as a whole: its evaluation.json described
 * other weights) and updates OUT/models.json. Nothing else under OUT is touched.
 */
export function exportModelFolder({runDir, name, outDir, dtype, minElements = DEFAULT_MIN_ELEMENTS, makeDefault = false}: ExportOptions): ExportResult {
  checkModelName(name, "--name");
  if (!fs.existsSync(runDir)) throw new Error(`run folder ${runDir} does not exist`);
  const metadataFile = path.join(runDir, MODEL_FILES.metadata);
  const metadata = validateMetadata(readJson(metadataFile), metadataFile);
  const historyFile = path.join(runDir, MODEL_FILES.history);
  if (!fs.existsSync(historyFile)) throw new Error(`no ${MODEL_FILES.history} in ${runDir}: expected a folder written by npm run train`);
  const history = readJson(historyFile);
  const modelJson = readJson<tf.io.ModelJSON>(path.join(runDir, MODEL_FILES.model));

  const weights = readFolderWeights(runDir);
  const {specs, data} = encodeWeights(weights, {dtype, minElements});
  const quantizedWeights = specs.filter((spec) => spec.quantization).length;
  const quantization: WeightsQuantization = {
    dtype,
    bytes: data.byteLength,
    float32Bytes: weights.reduce((sum, w) => sum + w.values.length * 4, 0),
    minElements,
    ...float32AccuracyOf(runDir, modelJson)
  };
  // A temperature fitted to the float32 network does not carry over to the stored weights: fit it again on
  // the export (`npm run calibration -- --models DIR --tta --write`).
  const {calibration: _fittedToFloat32, ...uncalibrated} = metadata;
  const exported: ModelMetadata = {...uncalibrated, quantization};

  // Built beside the target and swapped in, so a failed export leaves the previous one whole.
  const dir = path.join(outDir, name);
  const staging = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  fs.rmSync(staging, {recursive: true, force: true});
  fs.mkdirSync(staging, {recursive: true});
  const shards = shardWeights(data);
  for (const shard of shards) fs.writeFileSync(path.join(staging, shard.path), shard.data);
  writeJsonAtomic(path.join(staging, MODEL_FILES.model), {
    format: modelJson.format ?? "layers-model",
    generatedBy: modelJson.generatedBy,
    convertedBy: `fer-report export (${dtype === "none" ? "float32" : dtype})`,
    modelTopology: modelJson.modelTopology,
    weightsManifest: [{paths: shards.map((shard) => shard.path), weights: specs}]
  });
  writeJsonAtomic(path.join(staging, MODEL_FILES.metadata), exported);
  writeJsonAtomic(path.join(staging, MODEL_FILES.history), history);
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(staging, dir);
  fs.rmSync(old, {recursive: true, force: true});

  const defaultName = addToModelsFile(outDir, {name, makeDefault});
  return {dir, name, quantization, quantizedWeights, float32Weights: specs.length - quantizedWeights, default: defaultName};
}

/** The run's own (float32) plain accuracies, so the shipped model can show what quantization cost. */
function float32AccuracyOf(runDir: string, modelJson: tf.io.ModelJSON): Pick<WeightsQuantization, "float32Accuracy"> {
  const file = path.join(runDir, MODEL_FILES.evaluation);
  const quantizedRun = (modelJson.weightsManifest ?? []).some((group) => group.weights.some((spec) => spec.quantization));
  if (!fs.existsSync(file) || quantizedRun) return {};
  // An evaluation older than the weights describes an earlier epoch's weights.
  const weightFiles = (modelJson.weightsManifest ?? []).flatMap((group) => group.paths.map((shard) => path.join(runDir, shard)));
  if (weightFiles.some((w) => fs.statSync(w).mtimeMs > fs.statSync(file).mtimeMs)) return {};
  const evaluation = readJson<Evaluation>(file);
  if (evaluation.weights && evaluation.weights.dtype !== "float32") return {};
  const accuracy = Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, evaluation.splits?.[split]?.accuracy]));
  return Object.values(accuracy).every((a) => typeof a === "number") ? {float32Accuracy: accuracy as Record<(typeof EVALUATION_SPLITS)[number], number>} : {};
}
