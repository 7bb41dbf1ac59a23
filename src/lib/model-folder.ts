// The model-folder contract read by the report, the browser classifier and outside tools:
// model.json + weights (tfjs layers format), metadata.json, history.json and evaluation.json.
// Types, file names and a validator for metadata.json; no I/O here.

import {EMOTIONS, NUM_CLASSES, type Split} from "./labels.js";
import {MODEL_INPUT, type ModelInput} from "./preprocess.js";
import type {SplitEvaluation} from "./evaluation.js";
import {TTA_MODES, type TtaMode} from "./augment.js";
import {softenedByTemperature} from "./targets.js";
import {TEMPERATURE_RANGE} from "./metrics.js";

export const MODEL_FILES = {
  model: "model.json",
  weights: "weights.bin",
  metadata: "metadata.json",
  history: "history.json",
  evaluation: "evaluation.json"
} as const;

/** Weight files at most this size, as tfjs's converter shards them (4 MiB): small files for static hosts and git. */
export const WEIGHT_SHARD_BYTES = 4 * 1024 * 1024;

/**
 * A model's weight bytes cut into shards of at most `shardBytes`, with their file names: `weights.bin` when
 * one shard holds them all, else `weights-1of3.bin`, ... in order (tfjs joins a group's shards before decoding).
 */
export function shardWeights(data: Uint8Array, shardBytes: number = WEIGHT_SHARD_BYTES): {path: string; data: Uint8Array}[] {
  if (!(shardBytes > 0)) throw new Error(`shardWeights: shard size must be positive, got ${shardBytes}`);
  const count = Math.max(1, Math.ceil(data.byteLength / shardBytes));
  if (count === 1) return [{path: MODEL_FILES.weights, data}];
  return Array.from({length: count}, (_, i) => ({
    path: `weights-${i + 1}of${count}.bin`,
    data: data.subarray(i * shardBytes, Math.min(data.byteLength, (i + 1) * shardBytes))
  }));
}

/** The options a model was trained with (the train CLI's flags after defaults). */
export interface TrainingConfig {
  model: string;
  epochs: number;
  batch: number;
  seed: number;
  optimizer: "adam" | "sgd";
  lr: number;
  schedule: "onecycle" | "cosine" | "plateau" | "constant";
  labelSmoothing: number;
  classWeights: "none" | "balanced" | "sqrt";
  mixup: number;
  erasing: number;
  /** Decoupled weight decay (AdamW / SGDW); absent or 0 for none. */
  weightDecay?: number;
  /**
   * Which weights decay (engine/optimizers.ts's WeightDecayScope): "all" (absent: the same) every trainable
   * weight, BatchNorm scales and shifts and biases included; "kernels" convolution and dense kernels only.
   */
  weightDecayScope?: "all" | "kernels";
  patience: number;
  /** Train on the first `limit` shuffled Training faces only (smoke runs); null for all. */
  limit: number | null;
  /** Data-parallel worker threads asked for; null for the engine's default (2 on wasm/cpu, 0 on tfjs-node). */
  workers: number | null;
  augment: {flip: number; shift: number; rotation: number; scale: number};
  /** With the plateau schedule: the metric it watches on the selection split, the factor and the patience. */
  plateau?: PlateauConfig;
  /** Stop after the epoch in which training time passes this many seconds (a time budget); null for none. */
  maxSeconds?: number | null;
  /**
   * Select on a seeded random part of Training instead of PublicTest (the original project's protocol):
   * `fraction` of the Training faces, drawn with `seed`, are held out of training; null for PublicTest.
   */
  holdout?: {fraction: number; seed: number} | null;
  /** CutMix's Beta(alpha, alpha) (0 or absent: off). */
  cutmix?: number;
  /**
   * Knowledge distillation: each face's target mixes its (smoothed) label with `weight` of the teachers' mean
   * probabilities on it, softened by `temperature`. Each teacher averages its views of the face: `tta` "flip"
   * (absent: the same) the face and its mirror image, "crops" the evaluator's ten views. `teaching`
   * "consistent" instead shows the teachers each face as the student sees it, augmented (and mixed), in every
   * step, without views (Beyer et al. 2022, "a good teacher is patient and consistent"); absent: "fixed", one
   * set of targets per face computed before the first epoch. `form` "logits" (consistent teaching only)
   * distils as Hinton et al. (2015) did instead: the label trains the student's probabilities, the teachers'
   * probabilities at `temperature` train its logits divided by the same temperature, weighted `weight` x T^2
   * (engine/replica.ts's LossConfig.distillation); absent: "targets", the mix above.
   */
  distill?: {teachers: string[]; weight: number; temperature: number; tta?: "flip" | "crops"; teaching?: "fixed" | "consistent"; form?: "targets" | "logits"} | null;
  /**
   * A fine-tune: the run starts from the weights of the trained model folder `from` (with a fresh optimizer)
   * instead of a fresh initialization; `secondsTrained`, `epochs` and `publicTestAccuracy` are that model's,
   * read when the run started. Absent or null: from scratch.
   */
  init?: {from: string; secondsTrained: number; epochs: number; publicTestAccuracy: number} | null;
  /**
   * Stochastic weight averaging (Izmailov et al. 2018, "Averaging weights leads to wider optima"): from this
   * (1-based) epoch on, each epoch's final weights join an equal-weight average, and the average, with its
   * BatchNorm statistics measured afresh on Training faces, is the model each epoch evaluates and may select.
   * Absent or null: off.
   */
  swaFrom?: number | null;
}

export interface PlateauConfig {
  monitor: "loss" | "accuracy";
  factor: number;
  /** Epochs without improvement after which the rate is cut (Keras's ReduceLROnPlateau meaning). */
  patience: number;
}

/** The plateau settings of runs that predate PlateauConfig: PublicTest accuracy, halved after 3 flat epochs. */
export const DEFAULT_PLATEAU: PlateauConfig = {monitor: "accuracy", factor: 0.5, patience: 3};

export interface ModelMetadata {
  format: "fer-model/1";
  /** The architecture name (a key of MODELS in src/lib/models). */
  architecture: string;
  labels: string[];
  input: ModelInput;
  params: number;
  flops: number;
  training: TrainingConfig;
  /** Training wall time up to the end of the last epoch run, in seconds, summed over resumed runs (and, for a
   * fine-tune, including the training of the model it started from: TrainingConfig.init). */
  secondsTrained: number;
  /** 1-based epoch whose weights these are (best PublicTest accuracy). */
  bestEpoch: number;
  epochsRun: number;
  /** PublicTest accuracy of the selected epoch. */
  publicTestAccuracy: number;
  /** Runs selected on a holdout of Training (TrainingConfig.holdout): the selected epoch's accuracy on it. */
  holdoutAccuracy?: number;
  /** tfjs backend that trained it: "wasm", "cpu" or "tensorflow" (tfjs-node). */
  backend: string;
  /** Data-parallel worker threads (0: the main thread). */
  workers?: number;
  dataset: {trainingImages: number; selectionSplit: SelectionSplit; selectionImages: number};
  createdAt: string;
  /** Present on exported (shipped) models: how the weights are stored (`npm run export`). */
  quantization?: WeightsQuantization;
  /** Present once `npm run calibration -- --write` has fitted the model's temperature (see ModelCalibration). */
  calibration?: ModelCalibration;
}

/**
 * Temperature scaling (Guo et al. 2017), the one number that turns the network's probabilities into the
 * model's: each face's probabilities p, after test-time averaging, become p^(1/T) renormalised (softmax of
 * logits / T for a single view; withTemperature below). No arg-max moves, so no accuracy
 * changes; only how sure the model says it is. Fitted on PublicTest, the split every choice is made on, by
 * `npm run calibration -- --write` (metadata.json for a model, the entry in models.json for an ensemble).
 */
export interface ModelCalibration {
  /** T: below 1 sharpens an underconfident model, above 1 softens an overconfident one. */
  temperature: number;
  /** The faces it was fitted on. */
  split: "PublicTest";
  faces: number;
  /** The test-time averaging the fitted probabilities had. */
  tta: TtaMode;
  /** On those faces (in-sample): mean top-1 confidence, cross-entropy and expected calibration error, before and after. */
  before: CalibrationScores;
  after: CalibrationScores;
  fittedAt: string;
}

export interface CalibrationScores {
  meanConfidence: number;
  crossEntropy: number;
  ece: number;
}

/** The temperature a model's (or an ensemble's) probabilities are divided by: its calibration's, or 1 (none). */
export function temperatureOf(owner: {calibration?: ModelCalibration | null} | null | undefined): number {
  return owner?.calibration?.temperature ?? 1;
}

/**
 * A model's probabilities from its network's: each row (a face, after any test-time averaging) raised to
 * 1/temperature and renormalised: the calibration of ModelCalibration (temperatureOf gives a model's T).
 * Temperature 1 returns `probabilities` itself. Every arg-max stays where it was.
 */
export function withTemperature(probabilities: Float32Array, temperature: number, classes: number = NUM_CLASSES): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`withTemperature: temperature must be a positive number, got ${temperature}`);
  if (probabilities.length % classes !== 0) throw new Error(`withTemperature: ${probabilities.length} probabilities are not rows of ${classes}`);
  return temperature === 1 ? probabilities : softenedByTemperature(probabilities, {classes, temperature});
}

/** Checks a parsed `calibration` object (metadata.json's, or a models.json ensemble's); throws naming the bad field. */
export function validateCalibration(value: unknown, source: string): ModelCalibration {
  const fail = (message: string): never => {
    throw new Error(`${source}: calibration.${message}`);
  };
  if (value == null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${source}: calibration must be an object {temperature, split, faces, tta, before, after, fittedAt}`);
  const c = value as Record<string, unknown>;
  const t = c.temperature;
  if (typeof t !== "number" || !Number.isFinite(t) || t < TEMPERATURE_RANGE.min || t > TEMPERATURE_RANGE.max) {
    fail(`temperature must be a number from ${TEMPERATURE_RANGE.min} to ${TEMPERATURE_RANGE.max}, got ${JSON.stringify(t)}`);
  }
  if (c.split !== "PublicTest") fail(`split is ${JSON.stringify(c.split)}, expected "PublicTest" (temperatures are fitted on PublicTest only)`);
  if (!Number.isInteger(c.faces) || (c.faces as number) < 1) fail(`faces must be a positive whole number, got ${JSON.stringify(c.faces)}`);
  if (!(TTA_MODES as readonly unknown[]).includes(c.tta)) fail(`tta is ${JSON.stringify(c.tta)}, expected one of ${TTA_MODES.join(", ")}`);
  for (const key of ["before", "after"] as const) {
    const scores = c[key] as Record<string, unknown> | null;
    for (const score of ["meanConfidence", "crossEntropy", "ece"]) {
      const v = scores?.[score];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) fail(`${key}.${score} must be a non-negative number, got ${JSON.stringify(v)}`);
    }
  }
  return c as unknown as ModelCalibration;
}

/** How an exported model's weights are stored, against the float32 weights it was exported from. */
export interface WeightsQuantization {
  /** "uint8" (per-tensor affine), "float16" or "none" (float32 as trained). */
  dtype: "uint8" | "float16" | "none";
  /** Bytes of the stored weight shards. */
  bytes: number;
  /** Bytes of the same weights in float32. */
  float32Bytes: number;
  /** Weights with fewer values than this stayed float32 (BatchNorm vectors, biases). */
  minElements: number;
  /** Plain (no TTA) accuracy of the float32 weights, from the run's evaluation.json when it had one. */
  float32Accuracy?: Record<EvaluationSplit, number>;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  publicTestLoss: number;
  publicTestAccuracy: number;
  /** Accuracy and loss on the held-out Training faces, for runs selected on a holdout (TrainingConfig.holdout). */
  holdoutLoss?: number;
  holdoutAccuracy?: number;
  /** With SWA (TrainingConfig.swaFrom): how many epochs' weights the evaluated average holds, and the
   * PublicTest accuracy of the running (not averaged) weights; publicTestLoss and publicTestAccuracy are the average's. */
  averagedEpochs?: number;
  runningPublicTestAccuracy?: number;
  /** Learning rate at the start of the epoch. */
  lr: number;
  /** Wall time of the epoch (training and PublicTest evaluation). */
  seconds: number;
  /** Training throughput of the epoch. */
  imagesPerSecond: number;
}

export interface History {
  architecture: string;
  epochs: EpochRecord[];
  bestEpoch: number;
}

/** Where a run picks its best epoch: PublicTest, or a random part of Training it did not train on. */
export type SelectionSplit = "PublicTest" | "TrainingHoldout";

/** The test splits a model is evaluated on. */
export const EVALUATION_SPLITS = ["PublicTest", "PrivateTest"] as const satisfies readonly Split[];
export type EvaluationSplit = (typeof EVALUATION_SPLITS)[number];

export interface Evaluation {
  /** The model's architecture, or "ensemble" for an ensemble entry of models.json (then `members` names them). */
  architecture: string;
  /** An ensemble's member folders, whose probabilities were averaged. */
  members?: string[];
  /** tfjs backend that ran the predictions. */
  backend: string;
  /** Wall time of the predictions and metrics. */
  seconds: number;
  createdAt: string;
  /** The weights evaluated: their stored dtype (see storedDtype in quantize.ts) and shard bytes. */
  weights?: {dtype: string; bytes: number};
  /** The temperature every option's probabilities were scaled by (the model's calibration, see
   * ModelCalibration); absent in evaluations that predate calibration, which used none (1). */
  temperature?: number;
  /** Whether it ran with --tta (then flipTta is present; `splits` are always the plain predictions). */
  tta: boolean;
  splits: Record<EvaluationSplit, SplitEvaluation>;
  /** Present with --crops: each face averaged over five 44-pixel crops and their mirror images (ten passes). */
  cropsTta?: Record<EvaluationSplit, SplitEvaluation>;
  /** Present with --tta: the same metrics, each face's probabilities averaged with its mirror image's. */
  flipTta?: Record<EvaluationSplit, SplitEvaluation>;
}

/**
 * Whether a run has ended by its own rules after `epochsRun` epochs: its planned epochs, early stopping
 * (`patience` epochs without a better selection accuracy) or its --max-hours budget, counted in the run's
 * own training seconds (a fine-tune's parent not included). The trainer stops on it; `npm run experiments`
 * reads it back from a run folder's metadata.
 */
export function runFinished(training: TrainingConfig, {epochsRun, bestEpoch, ownSeconds}: {epochsRun: number; bestEpoch: number; ownSeconds: number}): boolean {
  return (
    epochsRun >= training.epochs ||
    (training.patience > 0 && epochsRun - bestEpoch >= training.patience) ||
    (training.maxSeconds != null && ownSeconds >= training.maxSeconds)
  );
}

/** Checks a parsed metadata.json against the contract; throws a message naming the first bad field. */
export function validateMetadata(value: unknown, source = "metadata.json"): ModelMetadata {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (value == null || typeof value !== "object") fail("expected a JSON object");
  const m = value as Record<string, unknown>;
  if (m.format !== "fer-model/1") fail(`format is ${JSON.stringify(m.format)}, expected "fer-model/1"`);
  if (typeof m.architecture !== "string" || !m.architecture) fail("architecture must be a non-empty string");
  if (!Array.isArray(m.labels) || m.labels.join(",") !== EMOTIONS.join(",")) {
    fail(`labels must be ${JSON.stringify(EMOTIONS)} in that order, got ${JSON.stringify(m.labels)}`);
  }
  const input = m.input as Record<string, unknown> | undefined;
  for (const key of Object.keys(MODEL_INPUT) as (keyof ModelInput)[]) {
    if (input?.[key] !== MODEL_INPUT[key]) {
      fail(`input.${key} is ${JSON.stringify(input?.[key])}, expected ${JSON.stringify(MODEL_INPUT[key])}`);
    }
  }
  for (const key of ["params", "flops", "secondsTrained", "bestEpoch", "epochsRun"]) {
    if (typeof m[key] !== "number" || !Number.isFinite(m[key]) || (m[key] as number) < 0) {
      fail(`${key} must be a non-negative number, got ${JSON.stringify(m[key])}`);
    }
  }
  if (m.training == null || typeof m.training !== "object") fail("training must be an object");
  if (m.calibration !== undefined) validateCalibration(m.calibration, source);
  return m as unknown as ModelMetadata;
}
