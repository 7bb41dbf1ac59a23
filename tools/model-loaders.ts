// What the model pages' loaders share (Node only): reads the shipped model folders listed in
// src/models/models.json and, when FER2013 is here, runs every model over PublicTest and PrivateTest with
// the code `npm run evaluate` uses (facesToInput -> openFolderPredictor on both cores -> evaluatePredictions);
// without the dataset it falls back to each folder's committed evaluation.json. Nothing is cached besides
// the dataset.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import {facePixels, splitIndices, type Fer2013Dataset} from "../src/lib/dataset.js";
import {bytesToBase64} from "../src/lib/base64.js";
import {MODELS, modelSummary, type ModelSummary} from "../src/lib/models/index.js";
import {NUM_CLASSES} from "../src/lib/labels.js";
import {evaluatePredictions, meanProbabilities, type SplitEvaluation} from "../src/lib/evaluation.js";
import {
  EVALUATION_SPLITS,
  MODEL_FILES,
  temperatureOf,
  validateMetadata,
  withTemperature,
  type EpochRecord,
  type Evaluation,
  type EvaluationSplit,
  type History,
  type ModelMetadata
} from "../src/lib/model-folder.js";
import {facesToInput, INPUT_SHAPE} from "../src/lib/preprocess.js";
import {packSprite, sampleFaces, type Sprite} from "../src/lib/dataset-stats.js";
import {
  confidentCellFaces,
  convBlockOutputs,
  headline,
  learningRateCurve,
  selectedEpoch,
  type BlockOutput,
  type CellFace,
  type LearningRatePoint,
  type EvaluatedSplitFaces,
  type ModelEvaluationReport,
  type ModelEvaluationsReport,
  type ModelSummaryRow,
  type SpriteFace
} from "../src/lib/model-pages.js";
import {SHIPPED_MODELS_DIR, loadModelFolder, readJson, readModelArtifacts, readModelsIndex, readOptionalJson} from "./model-io.js";
import type {EnsembleEntry} from "../src/lib/models-index.js";
import {joinedModelJson} from "../src/lib/model-artifacts.js";
// The loaders predict as `npm run evaluate` does: the engine's backend and the same folder predictor.
import {initTrainingBackend} from "../engine/backend.js";
import {averageWithMirror, openFolderPredictor, type FolderPredictor} from "./folder-predictor.js";
import {flipBatch} from "../src/lib/augment.js";

/**
 * src/models, or FER_MODELS_DIR when set: a folder laid out the same way (models.json and model folders),
 * for previewing runs that are not shipped yet and for tests.
 */
export const MODELS_DIR = process.env.FER_MODELS_DIR ? path.resolve(process.env.FER_MODELS_DIR) : SHIPPED_MODELS_DIR;

/** A model folder under src/models and its committed JSON files. */
export interface ShippedModel {
  name: string;
  isDefault: boolean;
  dir: string;
  metadata: ModelMetadata;
  history: History | null;
  evaluation: Evaluation | null;
  /** Bytes of the weight shards model.json lists. */
  weightBytes: number;
  /** Weight dtypes as stored ("float32", or "uint8"/"float16" when quantized). */
  weightDtypes: string[];
}

/** The models of models.json, default first, with their metadata, history and committed evaluation. */
export function readShippedModels({modelsDir = MODELS_DIR}: {modelsDir?: string} = {}): ShippedModel[] {
  const index = readModelsIndex(modelsDir);
  return index.models.map((name) => {
    const dir = path.join(modelsDir, name);
    if (!fs.existsSync(dir)) throw new Error(`${path.join(modelsDir, "models.json")} lists "${name}", but ${dir} does not exist`);
    const metadataFile = path.join(dir, MODEL_FILES.metadata);
    const metadata = validateMetadata(readJson(metadataFile), metadataFile);
    const modelJson = readJson<tf.io.ModelJSON>(path.join(dir, MODEL_FILES.model));
    const groups = modelJson.weightsManifest ?? [];
    const weightBytes = groups.flatMap((group) => group.paths).reduce((sum, shard) => {
      const file = path.join(dir, shard);
      if (!fs.existsSync(file)) throw new Error(`${path.join(dir, MODEL_FILES.model)} lists weight file ${shard}, which is not in ${dir}`);
      return sum + fs.statSync(file).size;
    }, 0);
    const weightDtypes = [...new Set(groups.flatMap((group) => group.weights.map((w) => w.quantization?.dtype ?? w.dtype ?? "float32")))];
    return {
      name,
      isDefault: name === index.default,
      dir,
      metadata,
      history: readOptionalJson<History>(path.join(dir, MODEL_FILES.history)),
      evaluation: readOptionalJson<Evaluation>(path.join(dir, MODEL_FILES.evaluation)),
      weightBytes,
      weightDtypes
    };
  });
}

/** An ensemble entry of models.json, with its committed evaluation (src/models/NAME/evaluation.json). */
export interface ShippedEnsemble extends EnsembleEntry {
  dir: string;
  /** The committed evaluation, or null when there is none or it is of other members (see staleMembers). */
  evaluation: Evaluation | null;
  /** The members an evaluation.json was computed for when they are not the entry's; null otherwise. */
  staleMembers: string[] | null;
}

/**
 * The ensembles of models.json, in its order (their members are among readShippedModels's folders). An
 * evaluation.json written for other members (models.json changed, `npm run evaluate` not run again) is set
 * aside, so the report never shows one ensemble's numbers under another's members.
 */
export function readShippedEnsembles({modelsDir = MODELS_DIR}: {modelsDir?: string} = {}): ShippedEnsemble[] {
  return readModelsIndex(modelsDir).ensembles.map((ensemble) => {
    const dir = path.join(modelsDir, ensemble.name);
    const evaluation = readOptionalJson<Evaluation>(path.join(dir, MODEL_FILES.evaluation));
    const evaluatedMembers = evaluation?.members ?? [];
    const stale = evaluation != null && evaluatedMembers.join(",") !== ensemble.members.join(",");
    return {...ensemble, dir, evaluation: stale ? null : evaluation, staleMembers: stale ? evaluatedMembers : null};
  });
}

/** One model's predictions on one test split, with the split's dataset rows and labels. */
export interface SplitPredictions {
  indices: Int32Array;
  labels: Uint8Array;
  /** The model's probabilities: the network's, with the model's temperature applied (withTemperature). */
  probabilities: Float32Array;
  /** The network's own probabilities, before the temperature: what an ensemble averages over its members. */
  networkProbabilities: Float32Array;
  evaluation: SplitEvaluation;
  /** With `crops`: the metrics of each face averaged over five crops and their mirrors (ten passes). */
  cropsTta?: SplitEvaluation;
  /** With `tta`: the metrics of each face averaged with its mirror image. */
  flipTta?: SplitEvaluation;
}

export interface PredictTestSplitsOptions {
  /** Also evaluate flip test-time augmentation; the plain pass is half of it, so one more pass per split. */
  tta?: boolean;
  /** Also evaluate the ten-view crop averaging (nine more passes per split). */
  crops?: boolean;
  /** The splits to run, in this order (default both test splits); the result holds only these. */
  splits?: readonly EvaluationSplit[];
  /** Called as each split starts, for progress. */
  onSplit?: (split: EvaluationSplit, faces: number) => void;
}

/**
 * The loop of `npm run evaluate` and the model loaders: every test split through the predictor, the
 * predictor's temperature applied after each test-time option's averaging, then the metrics.
 */
export async function predictTestSplits(
  predictor: Pick<FolderPredictor, "predict" | "temperature">,
  dataset: Fer2013Dataset,
  {tta = false, crops = false, splits = EVALUATION_SPLITS, onSplit}: PredictTestSplitsOptions = {}
): Promise<Record<EvaluationSplit, SplitPredictions>> {
  const out = {} as Record<EvaluationSplit, SplitPredictions>;
  for (const split of splits) {
    const indices = splitIndices(dataset, split);
    if (indices.length === 0) throw new Error(`the dataset has no ${split} faces`);
    onSplit?.(split, indices.length);
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    const input = facesToInput(dataset.pixels, indices);
    const calibrated = (network: Float32Array) => withTemperature(network, predictor.temperature);
    const networkProbabilities = await predictor.predict(input);
    const probabilities = calibrated(networkProbabilities);
    out[split] = {indices, labels, probabilities, networkProbabilities, evaluation: evaluatePredictions(probabilities, labels)};
    if (tta) out[split].flipTta = evaluatePredictions(calibrated(averageWithMirror(networkProbabilities, await predictor.predict(flipBatch(input)))), labels);
    if (crops) out[split].cropsTta = evaluatePredictions(calibrated(await predictor.predict(input, {tta: "crops"})), labels);
  }
  return out;
}

/** Median wall time of one face through the model (batch of 1), after a warm-up. */
export async function measureLatency(model: tf.LayersModel, {runs = 25, warmup = 3}: {runs?: number; warmup?: number} = {}): Promise<number> {
  const input = tf.zeros([1, ...INPUT_SHAPE]);
  const times: number[] = [];
  try {
    for (let k = 0; k < warmup + runs; k++) {
      const started = performance.now();
      const output = model.predict(input) as tf.Tensor;
      await output.data();
      output.dispose();
      if (k >= warmup) times.push(performance.now() - started);
    }
  } finally {
    input.dispose();
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 100) / 100;
}

export interface ModelEvaluationsOptions {
  modelsDir?: string;
  /** FER2013, or undefined to read each folder's committed evaluation.json. */
  dataset?: Fer2013Dataset;
  /** Faces kept per confusion-matrix cell (most confident first). */
  perCell?: number;
  /** Time one face through each model; off in tests. */
  latency?: boolean;
  log?: (message: string) => void;
}

export interface ModelEvaluationsResult {
  report: ModelEvaluationsReport;
  summary: ModelSummaryRow[];
  /** Per test split, the faces the report shows, one tile each; null without the dataset. */
  sprites: Record<EvaluationSplit, Sprite> | null;
}

const roundProbability = (p: number) => Math.round(p * 1e4) / 1e4;

let backendName: string | null = null;

/** The fastest backend here, as for `npm run evaluate`, with both cores for the convolutions. */
async function startBackend(): Promise<string> {
  if (backendName) return backendName;
  const threads = os.availableParallelism?.() ?? os.cpus().length;
  const started = await initTrainingBackend({prefer: "node", threads: Math.min(threads, 4)});
  backendName = started.native ? `${started.backend}+onednn` : started.backend;
  return backendName;
}

/**
 * Evaluates every shipped model on both test splits (or reads the committed evaluations) and gathers,
 * per split, the faces the metrics page shows for each confusion-matrix cell.
 */
export async function modelEvaluations({
  modelsDir = MODELS_DIR,
  dataset,
  perCell = 24,
  latency = true,
  log = () => {}
}: ModelEvaluationsOptions = {}): Promise<ModelEvaluationsResult> {
  const shipped = readShippedModels({modelsDir});
  // This thread's backend, for the single-face latency (the predictors start their own workers).
  const backend = latency ? await startBackend() : null;
  // Per split: dataset row -> position in the split's face table, shared by every model.
  const faceTables = Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, new Map<number, number>()])) as Record<EvaluationSplit, Map<number, number>>;
  const models: ModelEvaluationReport[] = [];
  const summary: ModelSummaryRow[] = [];
  // With the dataset: each model's test predictions, which the ensembles average.
  const memberPredictions = new Map<string, Record<EvaluationSplit, SplitPredictions>>();
  // Where the test splits ran, per model ("wasm+onednn x2" on both cores), for the report's one line.
  const predictedOn = new Set<string>();
  let seconds = 0;
  for (const model of shipped) {
    const started = performance.now();
    // With the dataset, `npm run evaluate`'s predictor (which holds the model in this thread too, for latency).
    const predictor = dataset ? await openFolderPredictor(model.dir) : null;
    const network = predictor?.model ?? (latency ? await loadModelFolder(model.dir) : null);
    let evaluation: ModelEvaluationReport["evaluation"] = null;
    let source: ModelEvaluationReport["source"] = "none";
    let cells: ModelEvaluationReport["cells"] = null;
    try {
      if (dataset && predictor) {
        const predictions = await predictTestSplits(predictor, dataset);
        const took = (performance.now() - started) / 1000;
        seconds += took;
        predictedOn.add(predictor.backend);
        const inProcess = predictor.inProcessReason ? `; in this thread: ${predictor.inProcessReason}` : "";
        log(`model-evaluations: ${model.name} over PublicTest and PrivateTest in ${took.toFixed(1)} s (${predictor.backend}${inProcess})`);
        const splits = Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, predictions[split].evaluation])) as Evaluation["splits"];
        warnIfStale(model, splits, log);
        evaluation = {splits, ...testTimeOptions(model.evaluation), backend: predictor.backend, createdAt: new Date().toISOString(), temperature: predictor.temperature};
        source = "fer2013";
        cells = cellFaces(predictions, faceTables, perCell);
        memberPredictions.set(model.name, predictions);
      } else if (model.evaluation) {
        evaluation = committedEvaluation(model.evaluation);
        source = "committed";
      }
      const latencyMs = latency && network ? await measureLatency(network) : null;
      models.push({
        name: model.name,
        isDefault: model.isDefault,
        architecture: model.metadata.architecture,
        evaluation,
        source,
        cells,
        calibration: model.metadata.calibration ?? null
      });
      summary.push({
        name: model.name,
        isDefault: model.isDefault,
        params: model.metadata.params,
        flops: model.metadata.flops,
        weightBytes: model.weightBytes,
        secondsTrained: model.metadata.secondsTrained,
        epochsRun: model.metadata.epochsRun,
        privateTest: headline(evaluation?.splits.PrivateTest),
        publicTest: headline(evaluation?.splits.PublicTest),
        privateTestFlip: headline(evaluation?.flipTta?.PrivateTest),
        latencyMs,
        latencyBackend: latencyMs == null ? null : backend,
        members: null
      });
    } finally {
      if (predictor) await predictor.dispose();
      else network?.dispose();
    }
  }
  for (const ensemble of readShippedEnsembles({modelsDir})) {
    if (ensemble.staleMembers) {
      log(`model-evaluations: ${ensemble.dir}/${MODEL_FILES.evaluation} is of ${ensemble.staleMembers.join(", ") || "no members"}, models.json names ${ensemble.members.join(", ")}: set aside; run npm run evaluate -- --model ${path.relative(process.cwd(), ensemble.dir) || ensemble.dir} --tta --crops`);
    }
    const rows = ensemble.members.map((member) => summary.find((row) => row.name === member)!);
    let evaluation: ModelEvaluationReport["evaluation"] = null;
    let source: ModelEvaluationReport["source"] = "none";
    let cells: ModelEvaluationReport["cells"] = null;
    if (ensemble.evaluation) warnIfOtherTemperature({dir: ensemble.dir, evaluation: ensemble.evaluation, temperature: temperatureOf(ensemble), owner: "its calibration in models.json"}, log);
    if (dataset) {
      // The members' predictions, averaged: what `npm run evaluate -- --model src/models/NAME` computes.
      const predictions = Object.fromEntries(
        EVALUATION_SPLITS.map((split) => {
          const first = memberPredictions.get(ensemble.members[0])![split];
          const networkProbabilities = meanProbabilities(ensemble.members.map((member) => memberPredictions.get(member)![split].networkProbabilities));
          const probabilities = withTemperature(networkProbabilities, temperatureOf(ensemble));
          return [split, {...first, probabilities, networkProbabilities, evaluation: evaluatePredictions(probabilities, first.labels)}];
        })
      ) as Record<EvaluationSplit, SplitPredictions>;
      const splits = Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, predictions[split].evaluation])) as Evaluation["splits"];
      evaluation = {splits, ...testTimeOptions(ensemble.evaluation), backend: [...predictedOn].join(", "), createdAt: new Date().toISOString(), temperature: temperatureOf(ensemble)};
      source = "fer2013";
      cells = cellFaces(predictions, faceTables, perCell);
      log(`model-evaluations: ${ensemble.name}, the mean of ${ensemble.members.join(", ")}`);
    } else if (ensemble.evaluation) {
      evaluation = committedEvaluation(ensemble.evaluation);
      source = "committed";
    }
    const total = (pick: (row: ModelSummaryRow) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
    const latencies = rows.map((row) => row.latencyMs);
    models.push({name: ensemble.name, isDefault: false, architecture: "ensemble", members: ensemble.members, evaluation, source, cells, calibration: ensemble.calibration ?? null});
    summary.push({
      name: ensemble.name,
      isDefault: false,
      params: total((row) => row.params),
      flops: total((row) => row.flops),
      weightBytes: total((row) => row.weightBytes),
      secondsTrained: total((row) => row.secondsTrained),
      epochsRun: total((row) => row.epochsRun),
      privateTest: headline(evaluation?.splits.PrivateTest),
      publicTest: headline(evaluation?.splits.PublicTest),
      privateTestFlip: headline(evaluation?.flipTta?.PrivateTest),
      // One face through each member in turn.
      latencyMs: latencies.every((ms) => ms != null) ? Math.round(latencies.reduce((sum, ms) => sum + ms!, 0) * 100) / 100 : null,
      latencyBackend: rows[0].latencyBackend,
      members: ensemble.members
    });
  }
  const sprites = dataset
    ? (Object.fromEntries(EVALUATION_SPLITS.map((split) => [split, packSprite(dataset, [...faceTables[split].keys()], {columns: 32})])) as Record<EvaluationSplit, Sprite>)
    : null;
  const splits = Object.fromEntries(
    EVALUATION_SPLITS.map((split): [EvaluationSplit, EvaluatedSplitFaces] => {
      const sprite = sprites?.[split];
      const rows = [...faceTables[split].keys()];
      const faces: SpriteFace[] = sprite && dataset
        ? rows.map((row, k) => ({id: dataset.ids[row], label: dataset.labels[row], ...sprite.tiles[k]}))
        : [];
      return [split, {faces, width: sprite?.width ?? 1, height: sprite?.height ?? 1, tileSize: 48}];
    })
  ) as Record<EvaluationSplit, EvaluatedSplitFaces>;
  return {
    report: {
      facesAvailable: Boolean(dataset),
      seconds: dataset ? Math.round(seconds * 10) / 10 : null,
      backend: dataset ? [...predictedOn].join(", ") : null,
      perCell,
      splits,
      models
    },
    summary,
    sprites
  };
}

/**
 * The test-time averaged metrics of a committed evaluation.json (flip, crops), which the build does not
 * recompute: `npm run evaluate -- --tta --crops` writes them.
 */
function testTimeOptions(evaluation: Evaluation | null): Pick<Evaluation, "flipTta" | "cropsTta"> {
  return {flipTta: evaluation?.flipTta, cropsTta: evaluation?.cropsTta};
}

/** What the report shows of a committed evaluation.json when the dataset is not here. */
function committedEvaluation(evaluation: Evaluation): NonNullable<ModelEvaluationReport["evaluation"]> {
  const {splits, backend, createdAt} = evaluation;
  return {splits, ...testTimeOptions(evaluation), backend, createdAt, temperature: evaluation.temperature ?? 1};
}

/** Per test split, the most confident faces of each confusion-matrix cell, entered in the split's face table. */
function cellFaces(
  predictions: Record<EvaluationSplit, SplitPredictions>,
  faceTables: Record<EvaluationSplit, Map<number, number>>,
  perCell: number
): Record<EvaluationSplit, CellFace[][][]> {
  return Object.fromEntries(
    EVALUATION_SPLITS.map((split) => {
      const {indices, labels, probabilities} = predictions[split];
      const table = faceTables[split];
      const positions = confidentCellFaces(probabilities, labels, {perCell});
      const toFace = (position: number): CellFace => {
        const row = indices[position];
        if (!table.has(row)) table.set(row, table.size);
        return {face: table.get(row)!, p: Array.from(probabilities.subarray(position * NUM_CLASSES, (position + 1) * NUM_CLASSES), roundProbability)};
      };
      return [split, positions.map((row) => row.map((cell) => cell.map(toFace)))];
    })
  ) as Record<EvaluationSplit, CellFace[][][]>;
}

/** A committed evaluation.json that no longer matches the shipped weights should be re-run, not shown. */
function warnIfStale(model: ShippedModel, live: Evaluation["splits"], log: (message: string) => void): void {
  if (!model.evaluation) return;
  warnIfOtherTemperature({dir: model.dir, evaluation: model.evaluation, temperature: temperatureOf(model.metadata), owner: "metadata.json's calibration"}, log);
  for (const split of EVALUATION_SPLITS) {
    const committed = model.evaluation.splits[split];
    if (committed && (committed.count !== live[split].count || Math.abs(committed.accuracy - live[split].accuracy) > 1e-9)) {
      log(
        `model-evaluations: warning: ${path.join(model.dir, MODEL_FILES.evaluation)} says ${split} accuracy ` +
          `${committed.accuracy.toFixed(4)} on ${committed.count} faces, the dataset gives ${live[split].accuracy.toFixed(4)} on ` +
          `${live[split].count}: run npm run evaluate -- --model ${path.relative(process.cwd(), model.dir) || model.dir}`
      );
    }
  }
}

/**
 * Logs a warning when a committed evaluation.json was computed at another temperature than the model (or
 * ensemble) now carries: the build recomputes the plain predictions, but reads the test-time options back.
 */
function warnIfOtherTemperature({dir, evaluation, temperature, owner}: {dir: string; evaluation: Evaluation; temperature: number; owner: string}, log: (message: string) => void): void {
  const evaluated = evaluation.temperature ?? 1;
  if (evaluated === temperature) return;
  log(
    `model-evaluations: warning: ${path.join(dir, MODEL_FILES.evaluation)} was computed at temperature ${evaluated}, ${owner} says ${temperature}: ` +
      `its test-time options' confidences are stale; run npm run evaluate -- --model ${path.relative(process.cwd(), dir) || dir} --tta --crops`
  );
}

/** What the architecture page shows per model. */
export interface ModelArchitecture {
  name: string;
  isDefault: boolean;
  architecture: string;
  description: string | null;
  summary: ModelSummary;
  weightBytes: number;
  weightDtypes: string[];
  blocks: BlockOutput[];
}

/** Every shipped model's layers (type, output shape, parameters, FLOPs), read from its own model.json. */
export async function modelArchitectures({modelsDir = MODELS_DIR}: {modelsDir?: string} = {}): Promise<ModelArchitecture[]> {
  const out: ModelArchitecture[] = [];
  for (const model of readShippedModels({modelsDir})) {
    const network = await loadModelFolder(model.dir);
    try {
      const summary = modelSummary(network);
      out.push({
        name: model.name,
        isDefault: model.isDefault,
        architecture: model.metadata.architecture,
        description: MODELS[model.metadata.architecture]?.description ?? null,
        summary,
        weightBytes: model.weightBytes,
        weightDtypes: model.weightDtypes,
        blocks: convBlockOutputs(summary.layers)
      });
    } finally {
      network.dispose();
    }
  }
  return out;
}

/** The default model as one model.json + one weights.bin, the form the page hands to tf.io.fromMemory. */
export function defaultModelFiles({modelsDir = MODELS_DIR}: {modelsDir?: string} = {}): {name: string; modelJson: string; weights: Uint8Array} {
  const name = readModelsIndex(modelsDir).default;
  const {modelJson, weightData} = readModelArtifacts(path.join(modelsDir, name));
  return {name, modelJson: JSON.stringify(joinedModelJson(modelJson)), weights: new Uint8Array(weightData)};
}

/** A test face the reader can feed to the network on the architecture page. */
export interface PickableFace {
  id: string;
  split: EvaluationSplit;
  emotion: string;
  /** 2304 grey levels, base64. */
  pixels: string;
}

/** A seeded sample of `perClass` PrivateTest faces of each class (none without the dataset). */
export function pickableFaces(dataset: Fer2013Dataset | undefined, {perClass = 5, seed = 48}: {perClass?: number; seed?: number} = {}): PickableFace[] {
  if (!dataset) return [];
  return sampleFaces(dataset, {perGroup: perClass, seed})
    .filter((group) => group.split === "PrivateTest")
    .flatMap((group) =>
      group.indices.map((row) => ({id: dataset.ids[row], split: "PrivateTest" as const, emotion: group.emotion, pixels: bytesToBase64(facePixels(dataset, row))}))
    );
}

/** What the training page shows per model: the run's configuration and history, and the schedule it followed. */
export interface TrainingRun {
  name: string;
  isDefault: boolean;
  metadata: ModelMetadata;
  history: History | null;
  selected: EpochRecord | null;
  learningRate: LearningRatePoint[];
}

export function trainingRuns({modelsDir = MODELS_DIR}: {modelsDir?: string} = {}): TrainingRun[] {
  return readShippedModels({modelsDir}).map((model) => ({
    name: model.name,
    isDefault: model.isDefault,
    metadata: model.metadata,
    history: model.history,
    selected: model.history ? selectedEpoch(model.history) : null,
    learningRate: model.history ? learningRateCurve(model.metadata, model.history) : []
  }));
}
