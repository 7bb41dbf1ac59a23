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
import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";
import {Worker} from "node:worker_threads";
import {initTrainingBackend, type BackendPreference} from "./backend.js";
import type {OptimizerConfig, OptimizerState} from "./optimizers.js";
import {CONTROL, type InitResult, type WorkerReply, type WorkerRequest} from "./protocol.js";
import {Replica, type LossConfig, type ModelSource, type NamedTensor} from "./replica.js";
import type {WorkerSetup} from "./worker.js";

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
  /** N x numClasses target probabilities (soft labels, e.g. mixup). */
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

interface WorkerStepStats {
  lossSum: number;
  correct: number;
  computeMs: number;
  waitMs: number;
  applyMs: number;
}

interface PreparedBatch {
  count: number;
  weighted: boolean;
}

interface BatchBuffers {
  inputs: Float32Array;
  targets: Float32Array;
  sampleWeights: Float32Array;
}

function imageCount(xs: Float32Array, inputShape: number[], what: string): number {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  if (!(xs instanceof Float32Array)) throw new Error(`${what}: xs must be a Float32Array`);
  if (xs.length === 0 || xs.length % inputSize !== 0) {
    throw new Error(`${what}: xs has ${xs.length} values, expected a positive multiple of ${inputSize} (${inputShape.join("x")} per image)`);
  }
  return xs.length / inputSize;
}

/** Validates a batch and copies it (labels as one-hot targets) into buffers sized for it. */
function prepareBatch(batch: TrainingBatch, into: (count: number) => BatchBuffers, inputShape: number[], numClasses: number): PreparedBatch {
  const count = imageCount(batch.xs, inputShape, "trainer.step");
  if ((batch.labels == null) === (batch.targets == null)) throw new Error("trainer.step: give exactly one of labels or targets");
  const buffers = into(count);
  buffers.inputs.set(batch.xs);
  if (batch.labels != null) {
    if (batch.labels.length !== count) throw new Error(`trainer.step: ${batch.labels.length} labels for ${count} images`);
    buffers.targets.fill(0, 0, count * numClasses);
    for (let i = 0; i < count; i++) {
      const label = batch.labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
        throw new Error(`trainer.step: label ${label} at index ${i} is not a class index in 0..${numClasses - 1}`);
      }
      buffers.targets[i * numClasses + label] = 1;
    }
  } else {
    const targets = batch.targets!;
    if (targets.length !== count * numClasses) {
      throw new Error(`trainer.step: targets has ${targets.length} values, expected ${count} x ${numClasses}`);
    }
    buffers.targets.set(targets);
  }
  if (batch.sampleWeights != null) {
    if (batch.sampleWeights.length !== count) throw new Error(`trainer.step: ${batch.sampleWeights.length} sampleWeights for ${count} images`);
    for (let i = 0; i < count; i++) buffers.sampleWeights[i] = batch.sampleWeights[i];
  }
  return {count, weighted: batch.sampleWeights != null};
}

function toValueList(weights: NamedTensor[] | Float32Array[]): Float32Array[] {
  return weights.map((w) => (w instanceof Float32Array ? w : w.values));
}

/** Contiguous shards of `count` over `parts`, the first ones one larger when it does not divide. */
export function shardRanges(count: number, parts: number): {start: number; count: number}[] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  const ranges: {start: number; count: number}[] = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const size = base + (k < extra ? 1 : 0);
    ranges.push({start, count: size});
    start += size;
  }
  return ranges;
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
  readonly parameterCount: number;
  readonly weightSpecs: {name: string; shape: number[]; trainable: boolean}[];
  private buffers: BatchBuffers = {inputs: new Float32Array(0), targets: new Float32Array(0), sampleWeights: new Float32Array(0)};
  private readonly gradient: Float32Array;

  private constructor(readonly backend: string, private readonly replica: Replica) {
    this.inputShape = replica.inputShape;
    this.numClasses = replica.numClasses;
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
        targets: new Float32Array(count * this.numClasses),
        sampleWeights: new Float32Array(count)
      };
    }
    return this.buffers;
  }

  async step(batch: TrainingBatch, {learningRate}: {learningRate?: number} = {}): Promise<StepResult> {
    const {count, weighted} = prepareBatch(batch, (n) => this.ensure(n), this.inputShape, this.numClasses);
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

// Workers run TypeScript: each registers tsx's loader before importing the worker module, which works under
// tsx and under vitest alike (a worker does not inherit vitest's transform).
function workerBootstrap(): string {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve("tsx/package.json").replace(/package\.json$/, "dist/esm/api/index.mjs")).href;
  const workerModule = new URL("./worker.ts", import.meta.url).href;
  return (
    `import(${JSON.stringify(tsxApi)})` +
    `.then(({register}) => { register(); return import(${JSON.stringify(workerModule)}); })` +
    `.catch((error) => { console.error("error: training worker failed to start: " + error.message); process.exit(1); });`
  );
}

class WorkerTrainer implements Trainer {
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly parameterCount: number;
  readonly weightSpecs: {name: string; shape: number[]; trainable: boolean}[];
  private readonly inputSize: number;
  private readonly control = new SharedArrayBuffer(CONTROL.LENGTH * 4);
  private shared: BatchBuffers & {outputs: Float32Array} = {
    inputs: new Float32Array(0),
    targets: new Float32Array(0),
    sampleWeights: new Float32Array(0),
    outputs: new Float32Array(0)
  };
  private capacity = 0;
  /** Set by steps: the workers' BatchNorm moving statistics have drifted apart since the last average. */
  private statisticsDiverged = false;
  private hasMovingStatistics: boolean;

  private constructor(
    readonly backend: string,
    private readonly threads: Worker[],
    private readonly calls: (index: number, request: DistributiveOmit<WorkerRequest, "id">, transfer?: ArrayBuffer[]) => Promise<unknown>,
    init: InitResult
  ) {
    this.inputShape = init.inputShape;
    this.numClasses = init.numClasses;
    this.parameterCount = init.parameterCount;
    this.weightSpecs = init.weightSpecs;
    this.inputSize = init.inputShape.reduce((a, b) => a * b, 1);
    this.hasMovingStatistics = init.weightSpecs.some((w) => !w.trainable);
  }

  get workers(): number {
    return this.threads.length;
  }

  static async create(options: TrainerOptions, backend: string, workers: number): Promise<Trainer> {
    const preference: BackendPreference = backend === "cpu" ? "cpu" : "wasm";
    // The main thread already built the native addon if it could; workers only load it.
    const code = workerBootstrap();
    const threads: Worker[] = [];
    const pending = new Map<number, {resolve: (value: unknown) => void; reject: (error: Error) => void}>();
    let nextId = 1;
    for (let index = 0; index < workers; index++) {
      const setup: WorkerSetup = {
        index,
        workers,
        backend: preference,
        native: options.native ?? true,
        model: options.model,
        optimizer: options.optimizer,
        loss: options.loss ?? {},
        seed: options.seed
      };
      const thread = new Worker(code, {eval: true, workerData: setup, execArgv: []});
      thread.on("message", (reply: WorkerReply) => {
        const call = pending.get(reply.id);
        if (call == null) return;
        pending.delete(reply.id);
        if (reply.ok) call.resolve(reply.result);
        else call.reject(new Error(reply.error));
      });
      const failAll = (error: Error) => {
        for (const call of pending.values()) call.reject(error);
        pending.clear();
      };
      thread.on("error", (error) => failAll(new Error(`training worker ${index} crashed: ${error.message}`)));
      thread.on("exit", (code) => {
        if (code !== 0) failAll(new Error(`training worker ${index} exited with code ${code}`));
      });
      threads.push(thread);
    }
    const calls = (index: number, request: DistributiveOmit<WorkerRequest, "id">, transfer: ArrayBuffer[] = []) =>
      new Promise<unknown>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, {resolve, reject});
        threads[index].postMessage({...request, id}, transfer);
      });
    try {
      const inits = (await Promise.all(threads.map((_, k) => calls(k, {type: "init"})))) as InitResult[];
      const trainer = new WorkerTrainer(backend, threads, calls, inits[0]);
      const gradients = new SharedArrayBuffer(workers * trainer.parameterCount * 4);
      await trainer.broadcast({type: "attach", control: trainer.control, gradients});
      // Start every replica from worker 0's initial weights.
      if (workers > 1) {
        const initial = (await calls(0, {type: "getWeights"})) as NamedTensor[];
        const values = initial.map((w) => w.values);
        await Promise.all(threads.slice(1).map((_, k) => calls(k + 1, {type: "setWeights", values, onlyNonTrainable: false})));
      }
      return trainer;
    } catch (error) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw error;
    }
  }

  private async broadcast(request: DistributiveOmit<WorkerRequest, "id">): Promise<unknown[]> {
    return Promise.all(this.threads.map((_, k) => this.calls(k, request)));
  }

  private async ensureCapacity(count: number): Promise<void> {
    if (count <= this.capacity) return;
    const capacity = Math.max(count, this.capacity * 2, 64);
    const inputs = new SharedArrayBuffer(capacity * this.inputSize * 4);
    const targets = new SharedArrayBuffer(capacity * this.numClasses * 4);
    const sampleWeights = new SharedArrayBuffer(capacity * 4);
    const outputs = new SharedArrayBuffer(capacity * this.numClasses * 4);
    this.shared = {
      inputs: new Float32Array(inputs),
      targets: new Float32Array(targets),
      sampleWeights: new Float32Array(sampleWeights),
      outputs: new Float32Array(outputs)
    };
    this.capacity = capacity;
    await this.broadcast({type: "buffers", inputs, targets, sampleWeights, outputs});
  }

  async step(batch: TrainingBatch, {learningRate}: {learningRate?: number} = {}): Promise<StepResult> {
    const count = imageCount(batch.xs, this.inputShape, "trainer.step");
    await this.ensureCapacity(count);
    const {weighted} = prepareBatch(batch, () => this.shared, this.inputShape, this.numClasses);
    const ranges = shardRanges(count, this.threads.length);
    this.statisticsDiverged = true;
    const settled = await Promise.allSettled(
      ranges.map((range, k) => this.calls(k, {type: "step", ...range, total: count, learningRate, weighted}))
    );
    Atomics.store(new Int32Array(this.control), CONTROL.FAILED, 0);
    const failure = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
    if (failure != null) throw failure.reason;
    let lossSum = 0;
    let correct = 0;
    const timing = {computeMs: [] as number[], waitMs: [] as number[], applyMs: [] as number[]};
    for (const s of settled) {
      const stats = (s as PromiseFulfilledResult<WorkerStepStats>).value;
      lossSum += stats.lossSum;
      correct += stats.correct;
      timing.computeMs.push(stats.computeMs);
      timing.waitMs.push(stats.waitMs);
      timing.applyMs.push(stats.applyMs);
    }
    return {loss: lossSum / count, accuracy: correct / count, count, timing};
  }

  /** Averages the BatchNorm moving statistics (and any other non-trainable weight) across workers. */
  private async averageMovingStatistics(): Promise<void> {
    if (!this.statisticsDiverged || !this.hasMovingStatistics || this.threads.length === 1) return;
    const all = (await this.broadcast({type: "getWeights"})) as NamedTensor[][];
    const values = all[0].map((w, i) => {
      if (this.weightSpecs[i].trainable) return w.values;
      const mean = new Float32Array(w.values.length);
      for (const replica of all) for (let j = 0; j < mean.length; j++) mean[j] += replica[i].values[j] / all.length;
      return mean;
    });
    await this.broadcast({type: "setWeights", values, onlyNonTrainable: true});
    this.statisticsDiverged = false;
  }

  async predict(xs: Float32Array, {batchSize = 256}: {batchSize?: number} = {}): Promise<Float32Array> {
    const count = imageCount(xs, this.inputShape, "trainer.predict");
    await this.averageMovingStatistics();
    await this.ensureCapacity(count);
    this.shared.inputs.set(xs);
    const ranges = shardRanges(count, this.threads.length);
    await Promise.all(ranges.map((range, k) => (range.count > 0 ? this.calls(k, {type: "predict", ...range, batchSize}) : null)));
    return this.shared.outputs.slice(0, count * this.numClasses);
  }

  async getWeights(): Promise<NamedTensor[]> {
    await this.averageMovingStatistics();
    return (await this.calls(0, {type: "getWeights"})) as NamedTensor[];
  }

  async setWeights(weights: NamedTensor[] | Float32Array[]): Promise<void> {
    const values = toValueList(weights);
    if (values.length !== this.weightSpecs.length) {
      throw new Error(`trainer.setWeights got ${values.length} arrays, the model has ${this.weightSpecs.length} weights`);
    }
    await this.broadcast({type: "setWeights", values, onlyNonTrainable: false});
    this.statisticsDiverged = false;
  }

  async getOptimizerState(): Promise<OptimizerState> {
    return (await this.calls(0, {type: "getOptimizerState"})) as OptimizerState;
  }

  async setOptimizerState(state: OptimizerState): Promise<void> {
    await this.broadcast({type: "setOptimizerState", state});
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Copies trainer weights into a model built by the same factory in this thread (e.g. to save it). */
export function copyWeightsInto(model: tf.LayersModel, weights: NamedTensor[]): void {
  if (weights.length !== model.weights.length) {
    throw new Error(`copyWeightsInto got ${weights.length} arrays, the model has ${model.weights.length} weights`);
  }
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}
