// The training run behind `npm run train`: epochs over the Training split with seeded augmentation,
// selection on PublicTest, a checkpoint every epoch (resumable, bit-identical to an uninterrupted run on
// the same backend), and the best epoch written as the model folder (model.json, weights, metadata.json,
// history.json). The data-parallel engine (engine/) does the steps.

import fs from "node:fs";
import path from "node:path";
import {IMAGE_PIXELS, randomHoldout, splitIndices, type Fer2013Dataset} from "../src/lib/dataset.js";
import {EMOTIONS, NUM_CLASSES} from "../src/lib/labels.js";
import {facesToInput, MODEL_INPUT} from "../src/lib/preprocess.js";
import {augmentBatch, cutmixBatch, mixupBatch} from "../src/lib/augment.js";
import {openBatchTeachers, teacherTargets as teacherTargetsOf, type BatchTeachers} from "./teacher-targets.js";
import {Random, deriveSeed} from "../src/lib/random.js";
import {plateauStart, plateauUpdate, scheduledLr, type PlateauState} from "../src/lib/schedule.js";
import {classWeights, smoothedTargets} from "../src/lib/targets.js";
import {accuracy, crossEntropy} from "../src/lib/metrics.js";
import {createModel, modelSummary} from "../src/lib/models/index.js";
import {DEFAULT_PLATEAU, MODEL_FILES, runFinished, type EpochRecord, type History, type ModelMetadata, type TrainingConfig} from "../src/lib/model-folder.js";
import {loadModelFolder, saveModelFolder, writeJsonAtomic} from "./model-io.js";
import {addToAverage, statisticsRefreshSteps} from "./weight-average.js";
import {hasCheckpoint, loadCheckpoint, optimizerStateFromTensors, optimizerStateToTensors, saveCheckpoint} from "./checkpoint.js";
import {copyWeightsInto, createTrainer, type NamedTensor, type Trainer} from "../engine/trainer.js";
import type * as tf from "@tensorflow/tfjs";
import type {BackendPreference} from "../engine/backend.js";

/** Everything a checkpoint stores besides tensors. */
interface RunState {
  config: TrainingConfig;
  /** Last completed epoch (1-based). */
  epoch: number;
  /** Optimizer steps taken so far. */
  step: number;
  /** Seed of the next epoch's generator (shuffle, augmentation, mixup): the RNG state at the boundary. */
  nextEpochSeed: number;
  plateau: PlateauState;
  bestEpoch: number;
  bestAccuracy: number;
  secondsTrained: number;
  finished: boolean;
  history: EpochRecord[];
  backend: string;
  /** With SWA: how many epochs' weights the checkpoint's average holds (absent in older checkpoints: 0). */
  averagedEpochs?: number;
}

export interface TrainRunOptions {
  config: TrainingConfig;
  dataset: Fer2013Dataset;
  out: string;
  resume?: boolean;
  /** With `resume`: the total epochs to extend the run to (see extendRun). */
  extendTo?: number;
  /** tfjs backend preference for the engine ("node", "wasm" or "cpu"). */
  backend?: "node" | "wasm" | "cpu";
  onProgress?: (progress: TrainProgress) => void;
  onEpoch?: (record: EpochRecord, run: {bestEpoch: number; epochs: number}) => void;
  /** A line on work before the first epoch (the teachers' soft targets), and once it is done. */
  onStatus?: (line: string, done: boolean) => void;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  /** Seconds left in the run at the current pace (epochs x batches). */
  eta: number;
}

export interface TrainResult {
  out: string;
  model: string;
  bestEpoch: number;
  publicTestAccuracy: number;
  /** With a holdout: the selected epoch's accuracy on it. */
  holdoutAccuracy?: number;
  epochsRun: number;
  secondsTrained: number;
  imagesPerSecond: number;
  backend: string;
  finished: boolean;
}

const CHECKPOINT_DIR = "checkpoint";

/** The engine's data-parallel trainer for a training configuration (the model, its optimizer, the workers). */
export async function openTrainer({config, backend = "node"}: {config: TrainingConfig; backend?: BackendPreference}): Promise<Trainer> {
  const distill = config.distill;
  return createTrainer({
    model: {name: config.model, options: {seed: config.seed}},
    optimizer: {name: config.optimizer, learningRate: config.lr, momentum: 0.9, nesterov: true, weightDecay: config.weightDecay, weightDecayScope: config.weightDecayScope},
    ...(distill?.form === "logits" ? {loss: {distillation: {weight: distill.weight, temperature: distill.temperature}}} : {}),
    workers: config.workers ?? undefined,
    backend,
    seed: config.seed
  });
}

/**
 * The faces a run trains on and the faces it selects its epoch on: all of Training and PublicTest, or, with
 * a holdout, the kept part of Training and its held-out part. `limit` keeps the first N of a seeded shuffle.
 */
function runIndices(dataset: Fer2013Dataset, config: TrainingConfig): {train: Int32Array; selection: Int32Array} {
  let train = splitIndices(dataset, "Training");
  if (train.length === 0) throw new Error("the dataset has no Training faces");
  let selection: Int32Array;
  if (config.holdout) {
    const cut = randomHoldout(train, config.holdout);
    train = cut.kept;
    selection = cut.holdout;
  } else {
    selection = splitIndices(dataset, "PublicTest");
    if (selection.length === 0) throw new Error("the dataset has no PublicTest faces to select the model on");
  }
  if (config.limit != null && config.limit < train.length) {
    train = new Random(deriveSeed(config.seed, 0x51ce)).shuffle(train.slice()).subarray(0, config.limit).sort();
  }
  return {train, selection};
}

/**
 * Lets a resumed run go on to `epochs` epochs in all. Only where the learning rate at a step does not depend
 * on the run's length (constant and plateau schedules), and only for a run that was not stopped early, so the
 * longer run is the one that `--epochs` would have given from the start.
 */
export function extendRun(state: RunState, epochs: number): void {
  const {config} = state;
  if (epochs === config.epochs) return;
  if (epochs < config.epochs) throw new Error(`--epochs ${epochs} with --resume: the run already plans ${config.epochs} epochs; it can only be extended`);
  if (config.schedule !== "constant" && config.schedule !== "plateau") {
    throw new Error(`--epochs with --resume extends only constant or plateau schedules; this run's ${config.schedule} schedule depends on its length (${config.epochs} epochs)`);
  }
  if (state.finished && state.epoch < config.epochs) {
    throw new Error(`the run stopped early at epoch ${state.epoch} of ${config.epochs} (no better PublicTest accuracy for ${config.patience} epochs); extending it would not change that`);
  }
  state.config = {...config, epochs};
  state.finished = false;
}

export async function trainRun(options: TrainRunOptions): Promise<TrainResult> {
  const {dataset, out} = options;
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a file, expected a folder for the run (a new one, or one to --resume)`);
  const checkpointDir = path.join(out, CHECKPOINT_DIR);
  if (options.resume && !hasCheckpoint(checkpointDir)) throw new Error(`nothing to resume: no checkpoint in ${checkpointDir}`);
  if (!options.resume && hasCheckpoint(checkpointDir)) {
    throw new Error(`${out} already holds a training run; pass --resume to continue it or choose another --out`);
  }
  if (!options.resume && fs.existsSync(path.join(out, MODEL_FILES.model))) {
    throw new Error(`${out} already holds a model (${MODEL_FILES.model}); choose another --out`);
  }
  const checkpoint = options.resume ? loadCheckpoint<RunState>(checkpointDir) : null;
  if (checkpoint && options.extendTo !== undefined) extendRun(checkpoint.state, options.extendTo);
  const config = checkpoint ? checkpoint.state.config : options.config;
  fs.mkdirSync(out, {recursive: true});

  const {train, selection} = runIndices(dataset, config);
  // With a holdout, PublicTest is still measured every epoch (never used to choose), for comparison.
  const publicTest = config.holdout ? splitIndices(dataset, "PublicTest") : selection;
  const publicTestInput = config.holdout ? facesToInput(dataset.pixels, publicTest) : null;
  const publicTestLabels = Uint8Array.from(publicTest, (i) => dataset.labels[i]);
  const plateau = config.plateau ?? DEFAULT_PLATEAU;
  const trainInput = facesToInput(dataset.pixels, train);
  // Before the trainer's workers start: the teachers' predictors use both cores too.
  // Fixed teaching: the teachers' pass, cached (tools/teacher-targets.ts), so a resumed run reads it back.
  // Consistent teaching: the teachers, opened once, label every augmented batch.
  const consistent = config.distill?.teaching === "consistent";
  const teacherTargets = config.distill && !consistent ? await teacherTargetsOf(config.distill, trainInput, {onStatus: options.onStatus}) : null;
  const batchTeachers = config.distill && consistent ? await openBatchTeachers(config.distill, {onStatus: options.onStatus}) : null;
  const trainLabels = Uint8Array.from(train, (i) => dataset.labels[i]);
  const selectionInput = facesToInput(dataset.pixels, selection);
  const selectionLabels = Uint8Array.from(selection, (i) => dataset.labels[i]);
  const weightsPerClass = classWeights(trainLabels, {classes: NUM_CLASSES, weighting: config.classWeights});
  const batchesPerEpoch = Math.floor(train.length / config.batch);
  if (batchesPerEpoch < 1) throw new Error(`--batch ${config.batch} is larger than the ${train.length} training faces`);
  const totalSteps = batchesPerEpoch * config.epochs;

  const trainer = await openTrainer({config, backend: options.backend});
  // The main thread's copy of the model only receives weights to save them.
  const model = createModel(config.model, {seed: config.seed});
  const summary = modelSummary(model);

  const state: RunState = checkpoint
    ? checkpoint.state
    : {
        config,
        epoch: 0,
        step: 0,
        nextEpochSeed: deriveSeed(config.seed, 1),
        plateau: plateauStart(config.lr),
        bestEpoch: 0,
        bestAccuracy: -1,
        secondsTrained: 0,
        finished: false,
        history: [],
        backend: trainer.backend
      };
  if (checkpoint) {
    await trainer.setWeights(checkpoint.weights);
    await trainer.setOptimizerState(optimizerStateFromTensors(checkpoint.optimizer));
  } else if (config.init) {
    await trainer.setWeights(await initialWeights(config.init.from, model));
  }
  let average = checkpoint?.average ?? null;
  // Evaluates the trainer's current weights on the selection split (and on PublicTest, when that is not it).
  const evaluate = async () => {
    const probabilities = await trainer.predict(selectionInput);
    const selected = {loss: crossEntropy(probabilities, selectionLabels), accuracy: accuracy(probabilities, selectionLabels)};
    const publicTestProbabilities = publicTestInput ? await trainer.predict(publicTestInput) : probabilities;
    return {selected, publicTest: {loss: crossEntropy(publicTestProbabilities, publicTestLabels), accuracy: accuracy(publicTestProbabilities, publicTestLabels)}};
  };

  try {
    while (!state.finished && state.epoch < config.epochs) {
      const epoch = state.epoch + 1;
      const started = performance.now();
      const lrAtStart = learningRate(config, state, totalSteps);
      const {lossSum, correct, seen} = await trainEpoch({trainer, config, state, totalSteps, trainInput, trainLabels, teacherTargets, batchTeachers, weightsPerClass, onProgress: options.onProgress});
      const trainSeconds = (performance.now() - started) / 1000;
      const weights = await trainer.getWeights();
      const optimizerState = await trainer.getOptimizerState();
      let measured = await evaluate();
      // SWA: the epoch's weights join the average, which is then what this epoch evaluates and may select;
      // the trainer goes back to the running weights and optimizer state for the next epoch.
      let evaluatedWeights = weights;
      let swa: {averagedEpochs: number; runningPublicTestAccuracy: number} | null = null;
      if (config.swaFrom != null && epoch >= config.swaFrom) {
        const averagedEpochs = state.averagedEpochs ?? 0;
        average = addToAverage(average, weights, averagedEpochs);
        state.averagedEpochs = averagedEpochs + 1;
        swa = {averagedEpochs: state.averagedEpochs, runningPublicTestAccuracy: measured.publicTest.accuracy};
        await trainer.setWeights(average);
        await refreshStatistics({trainer, model, config, trainInput, trainLabels, seed: deriveSeed(config.seed, 0x5a000000 + epoch)});
        evaluatedWeights = await trainer.getWeights();
        measured = await evaluate();
        await trainer.setWeights(weights);
        await trainer.setOptimizerState(optimizerState);
      }
      const {selected} = measured;
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        publicTestLoss: measured.publicTest.loss,
        publicTestAccuracy: measured.publicTest.accuracy,
        ...(config.holdout ? {holdoutLoss: selected.loss, holdoutAccuracy: selected.accuracy} : {}),
        ...(swa ?? {}),
        lr: lrAtStart,
        seconds: (performance.now() - started) / 1000,
        imagesPerSecond: seen / trainSeconds
      };
      state.history.push(record);
      state.secondsTrained += record.seconds;
      state.epoch = epoch;
      state.nextEpochSeed = deriveSeed(config.seed, epoch + 1);
      if (config.schedule === "plateau") {
        const watched = plateau.monitor === "loss" ? selected.loss : selected.accuracy;
        state.plateau = plateauUpdate(state.plateau, watched, {factor: plateau.factor, patience: plateau.patience, mode: plateau.monitor === "loss" ? "min" : "max"});
      }
      if (selected.accuracy > state.bestAccuracy) {
        state.bestAccuracy = selected.accuracy;
        state.bestEpoch = epoch;
        copyWeightsInto(model, evaluatedWeights);
        await saveModelFolder(model, out);
      }
      if (runFinished(config, {epochsRun: epoch, bestEpoch: state.bestEpoch, ownSeconds: state.secondsTrained})) state.finished = true;
      // Model folder files first, checkpoint last: a kill in between replays this epoch identically.
      writeJsonAtomic(path.join(out, MODEL_FILES.history), historyOf(config, state));
      writeJsonAtomic(path.join(out, MODEL_FILES.metadata), metadataOf({config, state, summary, trainer, train, selection}));
      saveCheckpoint(path.join(out, CHECKPOINT_DIR), {state, weights, optimizer: optimizerStateToTensors(optimizerState), ...(average ? {average} : {})});
      options.onEpoch?.(record, {bestEpoch: state.bestEpoch, epochs: config.epochs});
    }
  } finally {
    await trainer.dispose();
    await batchTeachers?.dispose();
    model.dispose();
  }
  const rates = state.history.map((h) => h.imagesPerSecond).sort((a, b) => a - b);
  return {
    out,
    model: config.model,
    bestEpoch: state.bestEpoch,
    publicTestAccuracy: publicTestAccuracyOf(state),
    ...(config.holdout ? {holdoutAccuracy: state.bestAccuracy} : {}),
    epochsRun: state.epoch,
    secondsTrained: Math.round(state.secondsTrained * 10) / 10,
    imagesPerSecond: rates.length ? Math.round(rates[Math.floor(rates.length / 2)] * 10) / 10 : 0,
    backend: state.backend,
    finished: state.finished
  };
}

/** One pass over the (shuffled) training faces; advances state.step. */
async function trainEpoch({trainer, config, state, totalSteps, trainInput, trainLabels, teacherTargets, batchTeachers, weightsPerClass, onProgress}: {
  trainer: Trainer;
  config: TrainingConfig;
  state: RunState;
  totalSteps: number;
  trainInput: Float32Array;
  trainLabels: Uint8Array;
  teacherTargets: Float32Array | null;
  batchTeachers: BatchTeachers | null;
  weightsPerClass: Float32Array;
  onProgress?: (progress: TrainProgress) => void;
}): Promise<{lossSum: number; correct: number; seen: number}> {
  const epoch = state.epoch + 1;
  const batches = Math.floor(trainLabels.length / config.batch);
  const random = new Random(state.nextEpochSeed);
  const order = random.shuffle(Int32Array.from({length: trainLabels.length}, (_, i) => i));
  // Each batch draws its augmentation from `random` in batch order, before any await: the same draws with
  // and without teachers that label it.
  const batchAt = async (b: number) => {
    const batch = makeBatch({rows: order.subarray(b * config.batch, (b + 1) * config.batch), trainInput, trainLabels, teacherTargets, config, random});
    if (!batchTeachers || !config.distill) return withSampleWeights(batch, {config, weightsPerClass});
    const taught = await batchTeachers.label(batch.xs);
    if (config.distill.form !== "logits") {
      mixTeacherInto(batch.targets, taught, config.distill.weight);
      return withSampleWeights(batch, {config, weightsPerClass});
    }
    // Hinton's form: class weights from the label alone, then each face's label and teachers side by side.
    const weighted = withSampleWeights(batch, {config, weightsPerClass});
    return {...weighted, targets: besideTeachers(batch.targets, taught)};
  };
  const started = performance.now();
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let next = batchAt(0);
  for (let b = 0; b < batches; b++) {
    const pending = trainer.step(await next, {learningRate: learningRate(config, state, totalSteps)});
    // The trainer has copied the batch: augment (and label) the next one while the workers compute.
    if (b + 1 < batches) next = batchAt(b + 1);
    const result = await pending;
    state.step++;
    lossSum += result.loss * result.count;
    correct += result.accuracy * result.count;
    seen += result.count;
    const imagesPerSecond = seen / ((performance.now() - started) / 1000);
    const stepsLeft = (config.epochs - epoch) * batches + (batches - b - 1);
    onProgress?.({
      epoch,
      epochs: config.epochs,
      batch: b + 1,
      batches,
      loss: lossSum / seen,
      accuracy: correct / seen,
      imagesPerSecond,
      eta: (stepsLeft * config.batch) / imagesPerSecond
    });
  }
  return {lossSum, correct, seen};
}

/** The weights of the model folder a fine-tune starts from, in `model`'s weight order; refuses another architecture. */
async function initialWeights(dir: string, model: tf.LayersModel): Promise<NamedTensor[]> {
  const source = await loadModelFolder(dir);
  try {
    const fits = source.weights.length === model.weights.length && source.weights.every((w, k) => w.shape.join("x") === model.weights[k].shape.join("x"));
    if (!fits) throw new Error(`--init ${dir}: its weights do not fit the ${model.name} architecture`);
    return source.weights.map((w, k) => ({name: model.weights[k].name, shape: [...w.shape] as number[], values: Float32Array.from(w.read().dataSync())}));
  } finally {
    source.dispose();
  }
}

/**
 * Measures the BatchNorm moving statistics of the trainer's weights afresh: training-mode steps with a zero
 * learning rate (the weights stay as they are) over augmented Training batches, until the statistics the
 * weights came with weigh under 0.1%. The optimizer state moves; the caller restores it.
 */
async function refreshStatistics({trainer, model, config, trainInput, trainLabels, seed}: {
  trainer: Trainer;
  model: tf.LayersModel;
  config: TrainingConfig;
  trainInput: Float32Array;
  trainLabels: Uint8Array;
  seed: number;
}): Promise<void> {
  const momenta = model.layers.filter((layer) => layer.getClassName() === "BatchNormalization").map((layer) => Number(layer.getConfig().momentum));
  const steps = statisticsRefreshSteps(momenta);
  const batches = Math.floor(trainLabels.length / config.batch);
  const random = new Random(seed);
  let order = random.shuffle(Int32Array.from({length: trainLabels.length}, (_, i) => i));
  for (let b = 0; b < steps; b++) {
    if (b > 0 && b % batches === 0) order = random.shuffle(order);
    const k = b % batches;
    const batch = makeBatch({rows: order.subarray(k * config.batch, (k + 1) * config.batch), trainInput, trainLabels, teacherTargets: null, config, random});
    // No step moves the weights: a distillation loss's teacher half is only filled, with the label.
    const targets = trainer.targetWidth === NUM_CLASSES ? batch.targets : besideTeachers(batch.targets, batch.targets);
    await trainer.step({...batch, targets}, {learningRate: 0});
  }
}

function learningRate(config: TrainingConfig, state: RunState, totalSteps: number): number {
  if (config.schedule === "plateau") return state.plateau.lr;
  return scheduledLr(config.schedule, state.step, {maxLr: config.lr, totalSteps});
}

/**
 * One augmented batch: warped faces and smoothed (maybe mixed) targets. Fixed teaching mixes each face's
 * teacher targets into its label before mixup and CutMix mix the faces; consistent teaching labels the
 * finished batch afterwards (mixTeacherInto).
 */
function makeBatch({rows, trainInput, trainLabels, teacherTargets, config, random}: {
  rows: Int32Array;
  trainInput: Float32Array;
  trainLabels: Uint8Array;
  teacherTargets: Float32Array | null;
  config: TrainingConfig;
  random: Random;
}): {xs: Float32Array; targets: Float32Array} {
  const faces = new Float32Array(rows.length * IMAGE_PIXELS);
  const labels = new Uint8Array(rows.length);
  const taught = teacherTargets ? new Float32Array(rows.length * NUM_CLASSES) : null;
  rows.forEach((row, k) => {
    faces.set(trainInput.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS), k * IMAGE_PIXELS);
    labels[k] = trainLabels[row];
    taught?.set(teacherTargets!.subarray(row * NUM_CLASSES, (row + 1) * NUM_CLASSES), k * NUM_CLASSES);
  });
  const xs = augmentBatch(faces, random, {...config.augment, erasing: config.erasing});
  const targets = smoothedTargets(labels, {classes: NUM_CLASSES, smoothing: config.labelSmoothing});
  if (taught && config.distill) mixTeacherInto(targets, taught, config.distill.weight);
  if (config.mixup > 0) mixupBatch(xs, targets, random, {alpha: config.mixup, classes: NUM_CLASSES});
  if ((config.cutmix ?? 0) > 0) cutmixBatch(xs, targets, random, {alpha: config.cutmix!, classes: NUM_CLASSES});
  return {xs, targets};
}

/** Each face's (smoothed, maybe mixed) label targets, then its teachers': the rows of a distillation loss (LossConfig.distillation). */
function besideTeachers(targets: Float32Array, teachers: Float32Array): Float32Array {
  if (targets.length !== teachers.length) throw new Error(`besideTeachers: ${targets.length} label and ${teachers.length} teacher values`);
  const out = new Float32Array(2 * targets.length);
  for (let row = 0; row < targets.length / NUM_CLASSES; row++) {
    out.set(targets.subarray(row * NUM_CLASSES, (row + 1) * NUM_CLASSES), 2 * row * NUM_CLASSES);
    out.set(teachers.subarray(row * NUM_CLASSES, (row + 1) * NUM_CLASSES), (2 * row + 1) * NUM_CLASSES);
  }
  return out;
}

/** (1 - weight) of each (smoothed, maybe mixed) label target, weight of the teachers' targets for the same face. */
function mixTeacherInto(targets: Float32Array, teachers: Float32Array, weight: number): void {
  for (let i = 0; i < targets.length; i++) targets[i] = (1 - weight) * targets[i] + weight * teachers[i];
}

/** Class weights per face; a mixed target weighs each class by its share. */
function withSampleWeights(
  batch: {xs: Float32Array; targets: Float32Array},
  {config, weightsPerClass}: {config: TrainingConfig; weightsPerClass: Float32Array}
): {xs: Float32Array; targets: Float32Array; sampleWeights?: Float32Array} {
  if (config.classWeights === "none") return batch;
  const count = batch.targets.length / NUM_CLASSES;
  const sampleWeights = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    for (let c = 0; c < NUM_CLASSES; c++) sampleWeights[k] += batch.targets[k * NUM_CLASSES + c] * weightsPerClass[c];
  }
  return {...batch, sampleWeights};
}

/** PublicTest accuracy of the selected epoch (the best one, unless a holdout chose it). */
function publicTestAccuracyOf(state: RunState): number {
  return state.history[state.bestEpoch - 1]?.publicTestAccuracy ?? state.bestAccuracy;
}

function historyOf(config: TrainingConfig, state: RunState): History {
  return {architecture: config.model, epochs: state.history, bestEpoch: state.bestEpoch};
}

function metadataOf({config, state, summary, trainer, train, selection}: {
  config: TrainingConfig;
  state: RunState;
  summary: ReturnType<typeof modelSummary>;
  trainer: Trainer;
  train: Int32Array;
  selection: Int32Array;
}): ModelMetadata {
  return {
    format: "fer-model/1",
    architecture: config.model,
    labels: [...EMOTIONS],
    input: MODEL_INPUT,
    params: summary.params,
    flops: summary.flops,
    training: config,
    secondsTrained: Math.round((state.secondsTrained + (config.init?.secondsTrained ?? 0)) * 10) / 10,
    bestEpoch: state.bestEpoch,
    epochsRun: state.epoch,
    publicTestAccuracy: publicTestAccuracyOf(state),
    ...(config.holdout ? {holdoutAccuracy: state.bestAccuracy} : {}),
    backend: trainer.backend,
    workers: trainer.workers,
    dataset: {trainingImages: train.length, selectionSplit: config.holdout ? "TrainingHoldout" : "PublicTest", selectionImages: selection.length},
    createdAt: new Date().toISOString()
  };
}
