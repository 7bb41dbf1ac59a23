// Body of one data-parallel training worker (worker_threads): holds a Replica, computes its shard's
// gradient into shared memory, meets the other workers at a barrier, then applies the averaged gradient.
import {parentPort, workerData} from "node:worker_threads";
import {initTrainingBackend, type BackendPreference} from "./backend.js";
import {Replica, type LossConfig, type ModelSource} from "./replica.js";
import type {OptimizerConfig} from "./optimizers.js";
import {CONTROL, type WorkerReply, type WorkerRequest} from "./protocol.js";
import {loadNativeAddon, type NativeAddon} from "./native-build.js";
import {nativeKernelsRegistered} from "./native-kernels.js";

export interface WorkerSetup {
  index: number;
  workers: number;
  backend: BackendPreference;
  native: boolean;
  model: ModelSource;
  optimizer: OptimizerConfig;
  loss: LossConfig;
  seed?: number;
}

const setup = workerData as WorkerSetup;
const port = parentPort!;

let replica: Replica;
let control: Int32Array;
let gradients: SharedArrayBuffer;
let inputs: Float32Array = new Float32Array(0);
let targets: Float32Array = new Float32Array(0);
let sampleWeights: Float32Array = new Float32Array(0);
let outputs: Float32Array = new Float32Array(0);
let averaged: Float32Array = new Float32Array(0);
let addon: NativeAddon | null = null;

/** Sense-reversing barrier over control[ARRIVED] and control[GENERATION]. */
function barrier(): void {
  const generation = Atomics.load(control, CONTROL.GENERATION);
  if (Atomics.add(control, CONTROL.ARRIVED, 1) === setup.workers - 1) {
    Atomics.store(control, CONTROL.ARRIVED, 0);
    Atomics.add(control, CONTROL.GENERATION, 1);
    Atomics.notify(control, CONTROL.GENERATION);
  } else {
    while (Atomics.load(control, CONTROL.GENERATION) === generation) Atomics.wait(control, CONTROL.GENERATION, generation);
  }
}

function averageSlots(): Float32Array {
  const count = replica.parameterCount;
  if (addon != null) {
    const slots = Array.from({length: setup.workers}, (_, slot) => new Float32Array(gradients, slot * count * 4, count));
    addon.sumInto(averaged, slots);
    return averaged;
  }
  // Every worker adds the slots in the same order, so all of them get bit-identical sums.
  averaged.set(new Float32Array(gradients, 0, count));
  for (let slot = 1; slot < setup.workers; slot++) {
    const values = new Float32Array(gradients, slot * count * 4, count);
    for (let i = 0; i < count; i++) averaged[i] += values[i];
  }
  return averaged;
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case "init": {
      await initTrainingBackend({prefer: setup.backend, native: setup.native, threads: 1});
      const seed = setup.seed == null ? undefined : setup.seed + 7919 * setup.index;
      replica = await Replica.create({model: setup.model, optimizer: setup.optimizer, loss: setup.loss, seed});
      addon = nativeKernelsRegistered() ? loadNativeAddon({build: false}) : null;
      return {
        inputShape: replica.inputShape,
        numClasses: replica.numClasses,
        targetWidth: replica.targetWidth,
        parameterCount: replica.parameterCount,
        weightSpecs: replica.weightSpecs()
      };
    }
    case "attach":
      control = new Int32Array(request.control);
      gradients = request.gradients;
      averaged = new Float32Array(replica.parameterCount);
      return null;
    case "buffers":
      inputs = new Float32Array(request.inputs);
      targets = new Float32Array(request.targets);
      sampleWeights = new Float32Array(request.sampleWeights);
      outputs = new Float32Array(request.outputs);
      return null;
    case "step": {
      const {start, count, total, learningRate, weighted} = request;
      const parameterCount = replica.parameterCount;
      const slot = new Float32Array(gradients, setup.index * parameterCount * 4, parameterCount);
      let stats = {lossSum: 0, correct: 0};
      let failure: Error | null = null;
      const started = performance.now();
      try {
        stats = replica.computeGradients({
          xs: inputs.subarray(start * replica.inputSize),
          targets: targets.subarray(start * replica.targetWidth),
          sampleWeights: weighted ? sampleWeights.subarray(start) : null,
          count,
          scale: count / total,
          into: slot
        });
      } catch (error) {
        failure = error as Error;
        Atomics.store(control, CONTROL.FAILED, 1);
      }
      const computed = performance.now();
      // Always arrive, even after a failure, or the other workers would wait forever.
      barrier();
      const met = performance.now();
      if (Atomics.load(control, CONTROL.FAILED) !== 0) throw failure ?? new Error("another training worker failed this step");
      replica.applyGradients(averageSlots(), learningRate);
      return {...stats, computeMs: computed - started, waitMs: met - computed, applyMs: performance.now() - met};
    }
    case "predict":
      replica.predict(
        inputs.subarray(request.start * replica.inputSize),
        request.count,
        outputs.subarray(request.start * replica.numClasses, (request.start + request.count) * replica.numClasses),
        request.batchSize
      );
      return null;
    case "getWeights":
      return replica.getWeights();
    case "setWeights":
      replica.setWeights(request.values, {onlyNonTrainable: request.onlyNonTrainable});
      return null;
    case "getOptimizerState":
      return replica.getOptimizerState();
    case "setOptimizerState":
      replica.setOptimizerState(request.state);
      return null;
  }
}

// Requests run one at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
port.on("message", (request: WorkerRequest) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = {id: request.id, ok: true, result: await handle(request)};
    } catch (error) {
      reply = {id: request.id, ok: false, error: (error as Error).message ?? String(error)};
    }
    port.postMessage(reply);
  });
});
