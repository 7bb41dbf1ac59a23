// Runs a model folder (model.json + weights, metadata.json) over faces on every core: the engine's
// data-parallel replicas, built from the registry's architecture and given the folder's weights, split the
// faces between worker threads. `npm run evaluate` and the report's loaders both predict through it, so
// their numbers come from the same code. Where the workers cannot run the folder (an architecture the
// registry does not know, tfjs-node, one core), it predicts in this thread with predictFaces.
//
//   const predictor = await openFolderPredictor("src/models/fer-lite");
//   predictor.backend;                                        // "wasm+onednn x2", or "wasm+onednn" in this thread
//   const probabilities = await predictor.predict(input, {flip: true}); // N x 7, input as facesToInput gives it
//   withTemperature(probabilities, predictor.temperature);    // the model's calibrated probabilities
//   await predictor.dispose();                                // the workers keep the process alive until then

import type * as tf from "@tensorflow/tfjs";
import {availableParallelism} from "node:os";
import path from "node:path";
import {initTrainingBackend, type BackendPreference} from "../engine/backend.js";
import {createTrainer, type Trainer} from "../engine/trainer.js";
import {MODELS} from "../src/lib/models/index.js";
import {MODEL_FILES, temperatureOf, validateMetadata} from "../src/lib/model-folder.js";
import {loadModelFolder, readJson, type EvaluationTarget} from "./model-io.js";
import {predictFaces} from "../src/lib/predict.js";
import {IMAGE_PIXELS} from "../src/lib/dataset.js";
import {flipBatch, ttaViews, type TtaMode} from "../src/lib/augment.js";
import {meanProbabilities} from "../src/lib/evaluation.js";

export interface FolderPredictOptions {
  /** Average the probabilities of each face and its horizontal mirror, as predictFaces's flip does. */
  flip?: boolean;
  /** Test-time averaging ("flip" is flip: true; "crops" averages ten views), as predictFaces's tta. */
  tta?: TtaMode;
  batchSize?: number;
}

export interface FolderPredictor {
  /** Where it runs: the tfjs backend, "+onednn" when convolutions are native, " x2" for two workers. */
  readonly backend: string;
  /** Worker threads the faces are split across; 0 when it predicts in this thread. */
  readonly workers: number;
  /** Why it predicts in this thread (null when it runs on workers). */
  readonly inProcessReason: string | null;
  /** The folder's model in this thread (for single-face timings); disposed with the predictor. */
  readonly model: tf.LayersModel;
  /**
   * The model's calibrated temperature (metadata.json's calibration; 1 without one). `predict` leaves it out:
   * teachers and fits read the network's own probabilities, and it belongs after test-time averaging, so
   * whoever reports the model's probabilities applies it (withTemperature in src/lib/model-folder.ts).
   */
  readonly temperature: number;
  /** The network's class probabilities, N x classes, for N faces of model-input values (see preprocess.ts). */
  predict(input: Float32Array, options?: FolderPredictOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface FolderPredictorOptions {
  /** First backend to try (falls back node -> wasm -> cpu). Default "node". */
  backend?: BackendPreference;
  /** Worker threads; fewer than 2 predicts in this thread. Default: 2, at most the cores. */
  workers?: number;
  /** On wasm, the optional native oneDNN convolutions. Default true. */
  native?: boolean;
}

/**
 * Opens DIR for prediction. Its weights are loaded (and dequantized) once here with loadModelFolder, the
 * same reader predictFaces's callers use, and copied into every worker, BatchNorm statistics included.
 */
export async function openFolderPredictor(dir: string, {backend = "node", workers, native = true}: FolderPredictorOptions = {}): Promise<FolderPredictor> {
  const metadataFile = path.join(dir, MODEL_FILES.metadata);
  const metadata = validateMetadata(readJson(metadataFile), metadataFile);
  const {architecture} = metadata;
  const temperature = temperatureOf(metadata);
  const cores = availableParallelism();
  const started = await initTrainingBackend({prefer: backend, native});
  const backendName = started.native ? `${started.backend}+onednn` : started.backend;
  const model = await loadModelFolder(dir);
  const count = workers ?? Math.min(2, cores);
  let reason: string | null = null;
  if (MODELS[architecture] == null) reason = `architecture "${architecture}" is not in the model registry`;
  else if (started.backend === "tensorflow") reason = "tfjs-node runs every core from one thread";
  else if (count < 2) reason = `${count} worker thread${count === 1 ? "" : "s"} asked for`;
  let trainer: Trainer | null = null;
  if (reason == null) {
    try {
      trainer = await openReplicas({architecture, model, backend: started.backend as BackendPreference, workers: count, native});
    } catch (error) {
      reason = `the worker threads could not run it: ${(error as Error).message}`;
    }
  }
  // createTrainer leaves this thread's native convolutions on one thread; predicting here (and timing single
  // faces on `model`) should have the cores, as the report's loaders always gave it.
  await initTrainingBackend({prefer: backend, native, threads: Math.min(cores, 4)});
  if (trainer == null) return new InProcessPredictor(backendName, model, temperature, reason!);
  return new WorkerPredictor(`${backendName} x${trainer.workers}`, model, temperature, trainer);
}

/** The registry's architecture on `workers` threads, holding `model`'s weights; throws where they differ. */
async function openReplicas({architecture, model, backend, workers, native}: {architecture: string; model: tf.LayersModel; backend: BackendPreference; workers: number; native: boolean}): Promise<Trainer> {
  // Prediction never steps: the optimizer is only there because a replica carries one (SGD keeps one slot).
  const trainer = await createTrainer({model: {name: architecture}, optimizer: {name: "sgd", learningRate: 1}, workers, backend, native});
  try {
    const weights = model.weights;
    const specs = trainer.weightSpecs;
    const same =
      specs.length === weights.length &&
      specs.every((spec, i) => spec.name === weights[i].originalName && spec.shape.join("x") === weights[i].shape.join("x"));
    if (!same) {
      const describe = (list: {name: string; shape: readonly (number | null)[]}[]) => list.map((w) => `${w.name} [${w.shape}]`).join(", ");
      throw new Error(
        `the registry's "${architecture}" has weights ${describe(specs)}; model.json has ${describe(weights.map((w) => ({name: w.originalName, shape: w.shape})))}`
      );
    }
    // Every weight, trainable or not (BatchNorm moving statistics), goes to every worker.
    await trainer.setWeights(weights.map((w) => w.read().dataSync() as Float32Array));
    return trainer;
  } catch (error) {
    await trainer.dispose();
    throw error;
  }
}

/**
 * Flip test-time augmentation from the two passes: the mean of each face's and its mirror's probabilities,
 * in the float32 arithmetic of predictFaces's tf.div(tf.add(p, mirrored), 2). A new array.
 */
export function averageWithMirror(plain: Float32Array, mirrored: Float32Array): Float32Array {
  if (plain.length !== mirrored.length) throw new Error(`averageWithMirror: ${plain.length} and ${mirrored.length} probabilities`);
  return plain.map((p, i) => Math.fround(p + mirrored[i]) / 2);
}

class WorkerPredictor implements FolderPredictor {
  readonly inProcessReason = null;

  constructor(
    readonly backend: string,
    readonly model: tf.LayersModel,
    readonly temperature: number,
    private readonly trainer: Trainer
  ) {}

  get workers(): number {
    return this.trainer.workers;
  }

  async predict(input: Float32Array, {flip = false, tta, batchSize = 256}: FolderPredictOptions = {}): Promise<Float32Array> {
    if (input.length === 0) return new Float32Array(0);
    if (tta === "crops") {
      const sum = new Float32Array((input.length / IMAGE_PIXELS) * this.trainer.numClasses);
      const views = ttaViews(input, "crops");
      for (const view of views) {
        const p = await this.trainer.predict(view, {batchSize});
        for (let i = 0; i < sum.length; i++) sum[i] += p[i];
      }
      return sum.map((v) => v / views.length);
    }
    const probabilities = await this.trainer.predict(input, {batchSize});
    if (!flip && tta !== "flip") return probabilities;
    return averageWithMirror(probabilities, await this.trainer.predict(flipBatch(input), {batchSize}));
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose();
    this.model.dispose();
  }
}

class InProcessPredictor implements FolderPredictor {
  readonly workers = 0;

  constructor(
    readonly backend: string,
    readonly model: tf.LayersModel,
    readonly temperature: number,
    readonly inProcessReason: string
  ) {}

  predict(input: Float32Array, options: FolderPredictOptions = {}): Promise<Float32Array> {
    return predictFaces(this.model, input, options);
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

/** An ensemble's predictor: its members' folder predictors, each face's probabilities averaged over them. */
export interface EnsemblePredictor extends Pick<FolderPredictor, "backend" | "inProcessReason" | "predict" | "dispose" | "temperature"> {
  /** The members' predictors, in the ensemble's order. */
  readonly members: readonly FolderPredictor[];
}

export interface EnsemblePredictorOptions extends FolderPredictorOptions {
  /** The ensemble's own calibrated temperature (its models.json entry's calibration; default 1). */
  temperature?: number;
}

/**
 * Opens every member folder with openFolderPredictor (each on its own worker threads, idle while another
 * predicts) and averages their probabilities with meanProbabilities: the prediction of an ensemble entry of
 * models.json (see src/lib/models-index.ts). Test-time options apply to each member before the mean. The
 * mean is of the members' network probabilities, as the ensemble was chosen on (`npm run ensemble-search`);
 * the ensemble's own temperature, not the members', calibrates it.
 */
export async function openEnsemblePredictor(dirs: readonly string[], {temperature = 1, ...options}: EnsemblePredictorOptions = {}): Promise<EnsemblePredictor> {
  if (dirs.length < 2) throw new Error(`an ensemble needs at least 2 member folders, got ${dirs.length}`);
  const members: FolderPredictor[] = [];
  try {
    for (const dir of dirs) members.push(await openFolderPredictor(dir, options));
  } catch (error) {
    await Promise.all(members.map((member) => member.dispose()));
    throw error;
  }
  const reasons = [...new Set(members.map((member) => member.inProcessReason).filter((reason) => reason != null))];
  return {
    members,
    temperature,
    backend: [...new Set(members.map((member) => member.backend))].join(", "),
    inProcessReason: reasons.length ? reasons.join("; ") : null,
    async predict(input, predictOptions) {
      const each: Float32Array[] = [];
      for (const member of members) each.push(await member.predict(input, predictOptions));
      return meanProbabilities(each);
    },
    async dispose() {
      await Promise.all(members.map((member) => member.dispose()));
    }
  };
}

/** The predictor of what readEvaluationTarget (tools/model-io.ts) read at `dir`: the model folder's, or the ensemble's with its temperature. */
export function openTargetPredictor(dir: string, target: EvaluationTarget, options: FolderPredictorOptions = {}): Promise<FolderPredictor | EnsemblePredictor> {
  return target.members
    ? openEnsemblePredictor(target.members.map((member) => member.dir), {...options, temperature: target.temperature})
    : openFolderPredictor(dir, options);
}
