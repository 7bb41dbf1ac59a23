// `npm run bench -- train`: training and inference speed per model and engine configuration, each measured
// in its own child process (clean peak memory, and kernel registration is per process).
// Flags: --models fer-tail,seed-vgg (default: the shipped default model's architecture and seed-vgg)  --configs native,wasm,pytorch  --workers 1,2  --batch 64  --steps 6  --warmup 2
// A config is "native" (wasm + oneDNN convolutions) or "wasm" (pure wasm kernels), optionally with engine
// features off ("native/off=bn-relu", "native/off=all": what each optimization of engine/features.ts buys,
// measured in the same run), or "pytorch" (the same network in PyTorch, where a Python with torch is found:
// pytorch_train.py); --workers takes a list (0 = in-process) to measure how the cores scale.
import {spawnSync} from "node:child_process";
import {cpus} from "node:os";
import {fileURLToPath} from "node:url";
import * as tf from "@tensorflow/tfjs";
import {createTrainer, type StepResult} from "../../engine/trainer.js";
import {loadModelFactory, type ModelSource} from "../../engine/replica.js";
import {parseFlags, runCli} from "../cli.js";
import {defaultArchitecture} from "../model-io.js";
import {measurePeak} from "../../engine/peak.js";
import {parseEngineOff, type EngineFeature} from "../../engine/features.js";

const REFERENCE_MODELS = ["vgg-lite", "seed-vgg-like", "separable", "tiny-bn"];
const REFERENCE_MODULE = fileURLToPath(new URL("../../engine/reference-models.ts", import.meta.url));

/** PyTorch 1.13 CPU, 2 threads, batch 64, measured on the same kind of 2-core machine (Debian's PyTorch). */
const PYTORCH_TRAINING_IMAGES_PER_SECOND = {"seed-vgg (its 7.2M variant, 'same' pooling)": 31.5, "vgg-lite (1.17M)": 158};
/**
 * Issue 15's targets: training FLOP/s as a share of the measured GEMM peak, 0.6 for the original network and
 * 0.4 for the default small model (the architecture of src/models/models.json's default, fer-tail-blur now).
 */
export function shareTargets(smallModel: string = defaultArchitecture()): Record<string, number> {
  return {"seed-vgg": 0.6, [smallModel]: 0.4};
}

interface BenchConfig {
  model: string;
  config: "native" | "wasm";
  workers: number;
  batch: number;
  steps: number;
  warmup: number;
}

/** What every configuration reports, PyTorch's included. */
export interface BenchRunCore {
  model: string;
  config: string;
  backend: string;
  native: boolean;
  workers: number;
  parameters: number;
  flopsPerImage: number | null;
  trainingImagesPerSecond: number;
  trainingStepMs: number[];
  /** oneDNN's large-GEMM rate on the workers' threads, measured in this configuration's process right after
   * its steps (null for pure wasm and PyTorch, which are measured against the run's own peak). */
  peakGflops: number | null;
  /** 3 x forward FLOPs x training images/s; and as a share of peakGflops (or of the run's peak). */
  trainingGflops?: number;
  shareOfPeak?: number | null;
}

type BenchRun = BenchRunCore | TrainBenchResult | {model: string; config: string; workers: number; error: string};

export interface TrainBenchResult extends BenchRunCore {
  /** Engine features switched off for this configuration (FER_ENGINE_OFF), none for the plain ones. */
  engineOff?: EngineFeature[];
  /**
   * CPU time (all threads) per training step: with the cores to itself the step would take about
   * cpuMsPerStep / max(1, workers) ms; a steadier figure than wall time on a shared machine.
   */
  trainingCpuMsPerStep: number;
  /** batch / (cpuMsPerStep / max(1, workers)): the training speed this run's work implies on idle cores. */
  trainingImagesPerSecondIdleEstimate: number;
  /**
   * Where a step's wall time goes, medians over the timed steps, per worker: its gradient ("compute"),
   * waiting at the barrier for the other workers ("wait"), averaging the gradients and the optimizer's
   * update ("apply"); "outside" is the step's wall time beyond the slowest worker's three (the batch's
   * copy and the messages between the threads).
   */
  stepPhasesMs: {compute: number[]; wait: number[]; apply: number[]; outside: number};
  inferenceImagesPerSecond: number;
  batch1LatencyMs: number;
  peakRssBytes: number;
}

function modelSource(name: string): ModelSource {
  return REFERENCE_MODELS.includes(name) ? {name, module: REFERENCE_MODULE, exportName: "createReferenceModel"} : {name};
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function flopsOf(model: tf.LayersModel): Promise<number | null> {
  try {
    const {modelSummary} = await import("../../src/lib/models/index.js");
    return modelSummary(model).flops;
  } catch {
    return null;
  }
}

/** The medians of each worker's phases over the timed steps, and of the wall time beyond the slowest worker. */
export function stepPhases(stepMs: number[], timings: StepResult["timing"][]): TrainBenchResult["stepPhasesMs"] {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const perWorker = (phase: keyof StepResult["timing"]) =>
    (timings[0]?.[phase] ?? []).map((_, w) => round(median(timings.map((t) => t[phase][w]))));
  const outside = stepMs.map((ms, s) => {
    const t = timings[s];
    return ms - Math.max(0, ...t.computeMs.map((c, w) => c + t.waitMs[w] + t.applyMs[w]));
  });
  return {compute: perWorker("computeMs"), wait: perWorker("waitMs"), apply: perWorker("applyMs"), outside: round(median(outside))};
}

/** Runs one configuration in this process. */
export async function measure(config: BenchConfig): Promise<TrainBenchResult> {
  const trainer = await createTrainer({
    model: modelSource(config.model),
    optimizer: {name: "adam", learningRate: 1e-3},
    workers: config.workers,
    backend: "wasm",
    native: config.config === "native",
    seed: 1
  });
  try {
    const inputSize = trainer.inputShape.reduce((a, b) => a * b, 1);
    const xs = new Float32Array(config.batch * inputSize);
    for (let i = 0; i < xs.length; i++) xs[i] = ((i * 2654435761) >>> 0) / 4294967296;
    const labels = Int32Array.from({length: config.batch}, (_, i) => i % trainer.numClasses);
    const stepMs: number[] = [];
    const timings: StepResult["timing"][] = [];
    let cpuMicros = 0;
    for (let s = 0; s < config.warmup + config.steps; s++) {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const {timing} = await trainer.step({xs, labels});
      const cpu = process.cpuUsage(cpuBefore);
      if (s >= config.warmup) {
        stepMs.push(performance.now() - started);
        timings.push(timing);
        cpuMicros += cpu.user + cpu.system;
      }
      process.stderr.write(`  ${config.model} ${config.config} workers=${config.workers}: step ${s + 1}/${config.warmup + config.steps} ${(performance.now() - started).toFixed(0)} ms\n`);
    }
    const predictMs: number[] = [];
    for (let s = 0; s < 6; s++) {
      const started = performance.now();
      await trainer.predict(xs);
      if (s > 0) predictMs.push(performance.now() - started);
    }
    // Batch-1 latency: one image through a model in this thread, as an interactive caller would run it.
    const factory = await loadModelFactory(modelSource(config.model));
    const model = factory(config.model, {}) as tf.LayersModel;
    const one = tf.tensor(xs.subarray(0, inputSize), [1, ...trainer.inputShape]);
    const latencyMs: number[] = [];
    for (let s = 0; s < 21; s++) {
      const started = performance.now();
      const output = model.predict(one) as tf.Tensor;
      output.dataSync();
      output.dispose();
      if (s > 0) latencyMs.push(performance.now() - started);
    }
    one.dispose();
    const flops = await flopsOf(model);
    // The ceiling under the same conditions (clock, neighbours) as the steps just timed, on as many threads
    // as the workers used: the machines are shared and their GEMM rate drifts by 15% between minutes.
    const peak = config.config === "native" ? measurePeak({threads: Math.max(1, config.workers)}) : null;
    model.dispose();
    return {
      model: config.model,
      config: config.config,
      backend: trainer.backend,
      native: config.config === "native",
      workers: trainer.workers,
      parameters: trainer.parameterCount,
      flopsPerImage: flops,
      trainingImagesPerSecond: config.batch / (median(stepMs) / 1000),
      trainingStepMs: stepMs.map((ms) => Math.round(ms)),
      trainingCpuMsPerStep: cpuMicros / 1000 / config.steps,
      stepPhasesMs: stepPhases(stepMs, timings),
      trainingImagesPerSecondIdleEstimate: config.batch / (cpuMicros / 1e6 / config.steps / Math.max(1, config.workers)),
      inferenceImagesPerSecond: config.batch / (median(predictMs) / 1000),
      batch1LatencyMs: median(latencyMs),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakGflops: peak?.gflops ?? null
    };
  } finally {
    await trainer.dispose();
  }
}

/**
 * A configuration: "native" (wasm + oneDNN) or "wasm" (pure wasm), optionally with engine features switched off
 * to measure what each buys alone: "native/off=bn-relu" or "native/off=bn-relu+conv-grads" (engine/features.ts);
 * or "pytorch": the same network trained by PyTorch on as many threads as the workers (pytorch_train.py).
 */
export function parseConfig(name: string): {name: string; base: "native" | "wasm" | "pytorch"; off: EngineFeature[]} {
  const [base, ...rest] = name.split("/");
  if (base === "pytorch" && rest.length === 0) return {name, base, off: []};
  if (base !== "native" && base !== "wasm") {
    throw new Error(`unknown config "${name}", expected native or wasm, optionally followed by /off=FEATURE+FEATURE, or pytorch`);
  }
  if (rest.length === 0) return {name, base, off: []};
  const match = /^off=(.+)$/.exec(rest.join("/"));
  if (match == null) throw new Error(`unknown config "${name}": after native or wasm only /off=FEATURE+FEATURE may follow`);
  return {name, base, off: [...parseEngineOff(match[1].split("+").join(","))]};
}

/** The first Python (PYTHON, python3, /usr/bin/python3) that imports torch, or why there is none. */
function findPytorch(): {python: string} | {error: string} {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ["python3", "/usr/bin/python3"];
  for (const python of candidates) {
    const probe = spawnSync(python, ["-c", "import torch"], {stdio: "ignore"});
    if (probe.status === 0) return {python};
  }
  return {error: `no Python with torch found (tried ${candidates.join(", ")}; on Debian: apt-get install python3-torch, or set PYTHON)`};
}

/** One PyTorch run of the model's layers (read off the tfjs model, so both sides train the same network). */
async function measurePytorch(python: string, config: BenchConfig): Promise<BenchRun> {
  const factory = await loadModelFactory(modelSource(config.model));
  const model = factory(config.model, {}) as tf.LayersModel;
  const layers = model.layers.map((layer) => ({className: layer.getClassName(), config: layer.getConfig()}));
  const flops = await flopsOf(model);
  const parameters = model.countParams();
  const inputShape = model.inputs[0].shape.slice(1);
  model.dispose();
  const spec = {layers, inputShape, classes: 7, batch: config.batch, steps: config.steps, warmup: config.warmup, threads: Math.max(1, config.workers)};
  const run = spawnSync(python, [fileURLToPath(new URL("./pytorch_train.py", import.meta.url))], {input: JSON.stringify(spec), encoding: "utf8"});
  const line = run.stdout.trim().split("\n").pop() ?? "";
  try {
    const result = JSON.parse(line) as {
      torch: string; threads: number; memoryFormat: string; trainingImagesPerSecond: number; trainingStepMs: number[]; imagesPerSecondByMemoryFormat: Record<string, number>;
    };
    return {
      model: config.model, config: "pytorch", backend: `pytorch ${result.torch} (${result.memoryFormat})`, native: false, workers: result.threads, parameters,
      flopsPerImage: flops, trainingImagesPerSecond: result.trainingImagesPerSecond, trainingStepMs: result.trainingStepMs, peakGflops: null,
      imagesPerSecondByMemoryFormat: result.imagesPerSecondByMemoryFormat
    } as BenchRunCore;
  } catch {
    return {model: config.model, config: "pytorch", workers: config.workers, error: `pytorch_train.py exited with ${run.status}: ${(run.stderr || line).trim().slice(-300)}`};
  }
}

/**
 * Medians per model, configuration and worker count over repeated runs: listing configurations more than once
 * (--configs native,native/off=all,native,native/off=all) alternates them, so drift on a shared machine
 * falls on both sides of a comparison.
 */
export function summarize(results: BenchRunCore[]): {model: string; config: string; workers: number; runs: number; imagesPerSecond: number; shareOfPeak: number | null}[] {
  const groups = new Map<string, BenchRunCore[]>();
  for (const r of results) {
    const key = `${r.model}\u0000${r.config}\u0000${r.workers}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((runs) => {
    const shares = runs.map((r) => r.shareOfPeak).filter((v): v is number => v != null);
    return {
      model: runs[0].model,
      config: runs[0].config,
      workers: runs[0].workers,
      runs: runs.length,
      imagesPerSecond: Math.round(median(runs.map((r) => r.trainingImagesPerSecond)) * 10) / 10,
      shareOfPeak: shares.length > 0 ? Math.round(median(shares) * 1000) / 1000 : null
    };
  });
}

/** Each engine configuration's median speed over PyTorch's on the same model and thread count, where both ran. */
export function versusPytorch(summary: ReturnType<typeof summarize>): {model: string; config: string; workers: number; ratio: number}[] {
  return summary.flatMap((row) => {
    if (row.config === "pytorch") return [];
    const reference = summary.find((r) => r.config === "pytorch" && r.model === row.model && r.workers === Math.max(1, row.workers));
    return reference ? [{model: row.model, config: row.config, workers: row.workers, ratio: Math.round((row.imagesPerSecond / reference.imagesPerSecond) * 100) / 100}] : [];
  });
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
}

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {models: "string", configs: "string", workers: "string", batch: "number", steps: "number", warmup: "number"});
  const values = {...flags, batch: flags.batch ?? 64, steps: flags.steps ?? 6, warmup: flags.warmup ?? 2};
  const configs = list(values.configs, "native,wasm").map(parseConfig);
  const pytorch = configs.some((c) => c.base === "pytorch") ? findPytorch() : null;
  const results: BenchRun[] = [];
  const smallModel = defaultArchitecture();
  for (const model of list(values.models, `${smallModel},seed-vgg`)) {
    for (const {name: config, base, off} of configs) {
      // By default native runs with 1 and 2 workers (how the second core scales), pure wasm and PyTorch with 2.
      for (const workers of list(values.workers, base === "native" ? "1,2" : "2").map(Number)) {
        process.stderr.write(`bench train: ${model} ${config} workers=${workers}\n`);
        const steps = Number(values.steps);
        const warmup = Number(values.warmup);
        if (base === "pytorch") {
          const settings: BenchConfig = {model, config: "native", workers, batch: Number(values.batch), steps, warmup};
          results.push("error" in pytorch! ? {model, config, workers, error: pytorch!.error} : await measurePytorch(pytorch!.python, settings));
          continue;
        }
        const child: BenchConfig = {
          model,
          config: base,
          workers,
          batch: Number(values.batch),
          // Pure wasm is slow on big models: fewer timed steps keep the bench within minutes.
          steps: base === "wasm" ? Math.min(3, steps) : steps,
          warmup: base === "wasm" ? 1 : warmup
        };
        const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", JSON.stringify(child)], {
          stdio: ["ignore", "pipe", "inherit"],
          encoding: "utf8",
          env: {...process.env, FER_ENGINE_OFF: off.join(",")}
        });
        const line = run.stdout.trim().split("\n").pop() ?? "";
        try {
          results.push({...(JSON.parse(line) as TrainBenchResult), config, engineOff: off});
        } catch {
          results.push({model, config, workers, error: `child exited with ${run.status}: ${line.slice(0, 200)}`});
        }
      }
    }
  }
  // The roofline: oneDNN's large-GEMM FP32 rate on every core, measured in this run (between the children);
  // each native configuration's share is taken of the peak its own process measured right after its steps.
  const peak = measurePeak({threads: cpus().length});
  // Pure wasm and PyTorch runs are compared with the peak on as many threads as they used.
  const peaks = new Map<number, number | null>([[cpus().length, peak?.gflops ?? null]]);
  const peakOn = (threads: number) => {
    if (!peaks.has(threads)) peaks.set(threads, measurePeak({threads})?.gflops ?? null);
    return peaks.get(threads)!;
  };
  for (const result of results) {
    if ("error" in result || result.flopsPerImage == null) continue;
    // A training image costs about three forward passes: forward, gradient of the input, gradient of the weights.
    const gflops = (3 * result.flopsPerImage * result.trainingImagesPerSecond) / 1e9;
    const ceiling = result.peakGflops ?? peakOn(Math.max(1, result.workers));
    result.trainingGflops = Math.round(gflops * 10) / 10;
    result.shareOfPeak = ceiling ? Math.round((gflops / ceiling) * 1000) / 1000 : null;
  }
  const summary = summarize(results.filter((r): r is BenchRunCore => !("error" in r)));
  return {
    bench: "train",
    machine: {cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", peakGflops: peak?.gflops ?? null, peak},
    batch: Number(values.batch),
    summary,
    versusPytorch: versusPytorch(summary),
    results,
    targets: {shareOfPeak: shareTargets(smallModel)},
    reference: {pytorchTrainingImagesPerSecond: PYTORCH_TRAINING_IMAGES_PER_SECOND},
    note: "median step time after warm-up; the machine is shared, so numbers are noisy"
  };
}

// The child process of one configuration: one JSON line on stdout; exit explicitly, since the trainer's
// workers would keep the process alive.
if (process.argv[2] === "--child") {
  runCli(async () => {
    process.stdout.write(JSON.stringify(await measure(JSON.parse(process.argv[3]) as BenchConfig)) + "\n");
    process.exit(0);
  });
}
