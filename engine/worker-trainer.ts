// The data-parallel trainer: worker_threads that each hold a replica of the model (engine/worker.ts), a
// batch cut into one shard per worker in shared memory, the gradients averaged there, and the same update
// applied by every worker, so the replicas stay bit-identical. createTrainer (trainer.ts) starts it.

import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";
import {Worker} from "node:worker_threads";
import type {BackendPreference} from "./backend.js";
import {imageCount, prepareBatch, shardRanges, toValueList, type BatchBuffers} from "./batch.js";
import {CONTROL, type InitResult, type WorkerReply, type WorkerRequest} from "./protocol.js";
import type {NamedTensor, OptimizerState, StepResult, Trainer, TrainerOptions, TrainingBatch} from "./trainer.js";
import type {WorkerSetup} from "./worker.js";

interface WorkerStepStats {
  lossSum: number;
  correct: number;
  computeMs: number;
  waitMs: number;
  applyMs: number;
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

export class WorkerTrainer implements Trainer {
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly targetWidth: number;
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
    this.targetWidth = init.targetWidth;
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
    const targets = new SharedArrayBuffer(capacity * this.targetWidth * 4);
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
    const {weighted} = prepareBatch(batch, () => this.shared, this.inputShape, {numClasses: this.numClasses, targetWidth: this.targetWidth});
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
