// Data-parallel training on every core: createTrainer() starts worker_threads that each hold a replica of the
// model, splits every batch across them, averages their gradients in shared memory and applies the same
// update everywhere. workers: 0 runs the same replica in this thread (the reference, and for tfjs-node,
// which is multi-threaded by itself).
//
// Usage (the training loop in tools/train.ts):
//
//   const trainer = await createTrainer({
//     model: {name: "seed-vgg"},                       // createModel("seed-vgg") from src/lib/models/index.ts
//     optimizer: {name: "adam", learningRate: 1e-3},
//     loss: {labelSmoothing: 0.1},
//     seed: 1
//   });
//   for (const batch of batches) {
//     const pending = trainer.step({xs: batch.xs, labels: batch.labels}, {learningRate: schedule(step)});
//     // batch arrays are copied before step() returns its promise: prepare the next batch here.
//     const {loss, accuracy} = await pending;
//   }
//   const probabilities = await trainer.predict(testXs);   // N x numClasses
//   const weights = await trainer.getWeights();           // model.weights order, for model.setWeights + save
//   await trainer.dispose();                               // the workers keep the process alive until then
import * as tf from "@tensorflow/tfjs";
import {availableParallelism} from "node:os";
import {initTrainingBackend, type BackendPreference} from "./backend.js";
import {imageCount, prepareBatch, toValueList, type BatchBuffers} from "./batch.js";
import type {OptimizerConfig, OptimizerState} from "./optimizers.js";
import {Replica, type LossConfig, type ModelSource, type NamedTensor} from "./replica.js";
import {WorkerTrainer} from "./worker-trainer.js";

export type {LossConfig, ModelSource, NamedTensor, OptimizerConfig, OptimizerState};

export interface TrainerOptions {
  model: ModelSource;
  optimizer: OptimizerConfig;
  loss?: LossConfig;
  /** Worker threads; 0 trains in this thread. Default: 2 (at most the cores) on wasm/cpu, 0 on tfjs-node. */
  workers?: number;
  /** First backend to try (falls back node -> wasm -> cpu). Default "node". */
  backend?: BackendPreference;
  /** On wasm, use the optional native oneDNN kernels when they can be built. Default true. */
  native?: boolean;
  /** Seeds weight initialization and dropout, so a run repeats exactly on the same backend and workers. */
  seed?: number;
}

export interface TrainingBatch {
  /** N images, each inputShape (48x48x1) values in [0, 1], concatenated. */
  xs: Float32Array;
  /** N class indices; or give `targets`. */
  labels?: ArrayLike<number>;
  /** N x targetWidth target probabilities (soft labels, e.g. mixup; with loss.distillation the label's, then the teachers'). */
  targets?: Float32Array;
  /** N per-sample loss weights, multiplied with class weights. */
  sampleWeights?: ArrayLike<number>;
}

export interface StepResult {
  /** Mean (weighted) loss of the batch before the update. */
  loss: number;
  /** Share of the batch whose top prediction is the target's top class. */
  accuracy: number;
  count: number;
  /** Per worker (one entry in-process): gradient, waiting at the barrier, averaging + update, in ms. */
  timing: {computeMs: number[]; waitMs: number[]; applyMs: number[]};
}

export interface Trainer {
  /** tfjs backend the replicas run on: "tensorflow", "wasm" or "cpu". */
  readonly backend: string;
  /** Worker threads (0: in this thread). */
  readonly workers: number;
  readonly inputShape: number[];
  readonly numClasses: number;
  /** Values per sample of a batch's `targets`: numClasses, or 2 x numClasses with loss.distillation. */
  readonly targetWidth: number;
  /** Trainable parameters. */
  readonly parameterCount: number;
  readonly weightSpecs: {name: string; shape: number[]; trainable: boolean}[];
  /** One optimizer step on the batch; resolves with the batch's loss and accuracy. */
  step(batch: TrainingBatch, options?: {learningRate?: number}): Promise<StepResult>;
  /** Class probabilities, N x numClasses, inference mode (BatchNorm moving statistics, no dropout). */
  predict(xs: Float32Array, options?: {batchSize?: number}): Promise<Float32Array>;
  /** All weights (trainable and BatchNorm moving statistics) in model.weights order. */
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weights: NamedTensor[] | Float32Array[]): Promise<void>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): Promise<void>;
  dispose(): Promise<void>;
}
export async function createTrainer(options: TrainerOptions): Promise<Trainer> {
  const started = await initTrainingBackend({prefer: options.backend ?? "node", native: options.native ?? true});
  const defaultWorkers = started.backend === "tensorflow" ? 0 : Math.min(2, availableParallelism());
  const workers = options.workers ?? defaultWorkers;
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`workers must be a whole number >= 0, got ${workers}`);
  if (workers === 0) {
    // One thread of wasm ops, but the native convolutions may use every core.
    if (started.native) await initTrainingBackend({prefer: "wasm", native: true, threads: availableParallelism()});
    return InProcessTrainer.create(options, started.backend);
  }
  return WorkerTrainer.create(options, started.backend as BackendPreference | "tensorflow", workers);
}

class InProcessTrainer implements Trainer {
  readonly workers = 0;
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly targetWidth: number;
  readonly parameterCount: number;
  readonly weightSpecs: {name: string; shape: number[]; trainable: boolean}[];
  private buffers: BatchBuffers = {inputs: new Float32Array(0), targets: new Float32Array(0), sampleWeights: new Float32Array(0)};
  private readonly gradient: Float32Array;

  private constructor(readonly backend: string, private readonly replica: Replica) {
    this.inputShape = replica.inputShape;
    this.numClasses = replica.numClasses;
    this.targetWidth = replica.targetWidth;
    this.parameterCount = replica.parameterCount;
    this.weightSpecs = replica.weightSpecs();
    this.gradient = new Float32Array(replica.parameterCount);
  }

  static async create(options: TrainerOptions, backend: string): Promise<Trainer> {
    const replica = await Replica.create({model: options.model, optimizer: options.optimizer, loss: options.loss, seed: options.seed});
    return new InProcessTrainer(backend, replica);
  }

  private ensure(count: number): BatchBuffers {
    if (this.buffers.sampleWeights.length < count) {
      this.buffers = {
        inputs: new Float32Array(count * this.replica.inputSize),
        targets: new Float32Array(count * this.targetWidth),
        sampleWeights: new Float32Array(count)
      };
    }
    return this.buffers;
  }

  async step(batch: TrainingBatch, {learningRate}: {learningRate?: number} = {}): Promise<StepResult> {
    const {count, weighted} = prepareBatch(batch, (n) => this.ensure(n), this.inputShape, {numClasses: this.numClasses, targetWidth: this.targetWidth});
    const started = performance.now();
    const stats = this.replica.computeGradients({
      xs: this.buffers.inputs,
      targets: this.buffers.targets,
      sampleWeights: weighted ? this.buffers.sampleWeights : null,
      count,
      scale: 1,
      into: this.gradient
    });
    const computed = performance.now();
    this.replica.applyGradients(this.gradient, learningRate);
    const timing = {computeMs: [computed - started], waitMs: [0], applyMs: [performance.now() - computed]};
    return {loss: stats.lossSum / count, accuracy: stats.correct / count, count, timing};
  }

  async predict(xs: Float32Array, {batchSize = 256}: {batchSize?: number} = {}): Promise<Float32Array> {
    const count = imageCount(xs, this.inputShape, "trainer.predict");
    const out = new Float32Array(count * this.numClasses);
    this.replica.predict(xs, count, out, batchSize);
    return out;
  }

  async getWeights(): Promise<NamedTensor[]> {
    return this.replica.getWeights();
  }

  async setWeights(weights: NamedTensor[] | Float32Array[]): Promise<void> {
    this.replica.setWeights(toValueList(weights));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    return this.replica.getOptimizerState();
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    this.replica.setOptimizerState(state);
  }

  async dispose(): Promise<void> {
    this.replica.dispose();
  }
}

/** Copies trainer weights into a model built by the same factory in this thread (e.g. to save it). */
export function copyWeightsInto(model: tf.LayersModel, weights: NamedTensor[]): void {
  if (weights.length !== model.weights.length) {
    throw new Error(`copyWeightsInto got ${weights.length} arrays, the model has ${model.weights.length} weights`);
  }
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}
