// Where a training step's time goes: runs a few in-process steps of a model on random data under
// tf.profile and prints the time per kernel (JSON on stdout, a table on stderr).
// Usage: tsx tools/profile-engine.ts [--model fer-lite] [--batch 64] [--steps 2] [--native true|false]
//        [--module path --export name]   (default: createModel from src/lib/models/index.ts)
import * as tf from "@tensorflow/tfjs";
import {fileURLToPath} from "node:url";
import {initTrainingBackend, type BackendPreference} from "../engine/backend.js";
import {Replica} from "../engine/replica.js";
import {parseFlags, printJson, runCli} from "./cli.js";
import {measurePeak} from "../engine/peak.js";
import {modelSummary} from "../src/lib/models/index.js";

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
  share: number;
  /** For the convolution and matrix-product kernels: their arithmetic rate, and its share of one core's GEMM peak. */
  gflops?: number;
  shareOfPeak?: number;
}

export interface StepProfile {
  model: string;
  backend: string;
  native: boolean;
  batch: number;
  stepMs: number;
  kernelMs: number;
  /** oneDNN's large-GEMM rate on one thread (the profile runs in one thread), measured in this run; null without the addon. */
  peakGflops: number | null;
  /** The whole step's nominal arithmetic (three forward passes' worth, as in the bench) per second. */
  stepGflops: number;
  kernels: KernelTime[];
}

export async function profileTrainingStep(options: {
  model: string;
  module: string;
  exportName: string;
  batch: number;
  steps: number;
  backend: BackendPreference;
  native: boolean;
}): Promise<StepProfile> {
  const {backend, native} = await initTrainingBackend({prefer: options.backend, native: options.native});
  const replica = await Replica.create({
    model: {name: options.model, module: options.module, exportName: options.exportName},
    optimizer: {name: "adam", learningRate: 1e-3},
    seed: 1
  });
  const xs = new Float32Array(options.batch * replica.inputSize).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const targets = new Float32Array(options.batch * replica.numClasses);
  for (let i = 0; i < options.batch; i++) targets[i * replica.numClasses + (i % replica.numClasses)] = 1;
  const gradient = new Float32Array(replica.parameterCount);
  const step = () => {
    replica.computeGradients({xs, targets, sampleWeights: null, count: options.batch, scale: 1, into: gradient});
    replica.applyGradients(gradient);
  };
  step(); // warm-up: operator creation, weight packing, memory growth
  const totals = new Map<string, {calls: number; ms: number}>();
  let stepMs = 0;
  for (let s = 0; s < options.steps; s++) {
    const started = performance.now();
    const info = await tf.profile(step);
    stepMs += performance.now() - started;
    // Names ending in __op are op scopes that contain kernels already counted.
    for (const kernel of info.kernels.filter((k) => !k.name.endsWith("__op"))) {
      const total = totals.get(kernel.name) ?? {calls: 0, ms: 0};
      total.calls += 1;
      const time = await kernel.kernelTimeMs;
      total.ms += typeof time === "number" ? time : 0;
      totals.set(kernel.name, total);
    }
  }
  // Forward FLOPs of the convolutions and dense layers; each gradient kernel does as much again.
  const layers = modelSummary(replica.model).layers;
  const convFlops = options.batch * layers.filter((l) => /Conv/.test(l.type)).reduce((sum, l) => sum + l.flops, 0);
  const denseFlops = options.batch * layers.filter((l) => l.type === "Dense").reduce((sum, l) => sum + l.flops, 0);
  const allFlops = options.batch * layers.reduce((sum, l) => sum + l.flops, 0);
  // The first convolution's input gradient is not computed (engine/conv-layer.ts) when one call fewer is made.
  const convLayers = layers.filter((l) => /Conv/.test(l.type));
  const inputGradientCalls = (totals.get("Conv2DBackpropInput")?.calls ?? 0) / options.steps;
  const inputGradientFlops = inputGradientCalls < convLayers.length && convLayers.length > 0 ? convFlops - options.batch * convLayers[0].flops : convFlops;
  const kernelFlops: Record<string, number> = {
    FusedConv2D: convFlops, Conv2D: convFlops, EngineConv2D: convFlops, Conv2DBackpropInput: inputGradientFlops, Conv2DBackpropFilter: convFlops,
    _FusedMatMul: denseFlops, BatchMatMul: 2 * denseFlops
  };
  replica.dispose();
  const peak = native ? measurePeak({threads: 1}) : null;
  const kernelMs = [...totals.values()].reduce((sum, t) => sum + t.ms, 0) / options.steps;
  const kernels: KernelTime[] = [...totals.entries()]
    .map(([kernel, t]) => ({kernel, calls: t.calls / options.steps, ms: t.ms / options.steps, share: 0}))
    .sort((a, b) => b.ms - a.ms);
  for (const k of kernels) {
    k.share = k.ms / kernelMs;
    const flops = kernelFlops[k.kernel];
    if (flops && k.ms > 0) {
      k.gflops = Math.round(flops / (k.ms * 1e5)) / 10;
      if (peak) k.shareOfPeak = Math.round((k.gflops / peak.gflops) * 1000) / 1000;
    }
  }
  const meanStepMs = stepMs / options.steps;
  return {
    model: options.model, backend, native, batch: options.batch, stepMs: meanStepMs, kernelMs,
    peakGflops: peak?.gflops ?? null, stepGflops: Math.round((3 * allFlops) / (meanStepMs * 1e5)) / 10, kernels
  };
}

const PROFILE_USAGE = `tsx tools/profile-engine.ts [--model fer-lite] [--batch 64] [--steps 2] [--native true|false] [--backend wasm]

Runs a few in-process training steps under tf.profile and prints the time per kernel (JSON on stdout, a table on stderr).
--module FILE and --export NAME load the model factory from elsewhere (default: the model registry).`;

async function main(): Promise<void> {
  const {flags} = parseFlags(
    process.argv.slice(2),
    {model: "string", module: "string", export: "string", native: "string", batch: "number", steps: "number", backend: "string"},
    PROFILE_USAGE
  );
  const profile = await profileTrainingStep({
    model: flags.model ?? "fer-lite",
    module: flags.module ?? fileURLToPath(new URL("../src/lib/models/index.ts", import.meta.url)),
    exportName: flags.export ?? "createModel",
    batch: flags.batch ?? 64,
    steps: flags.steps ?? 2,
    backend: (flags.backend ?? "wasm") as BackendPreference,
    native: flags.native !== "false"
  });
  process.stderr.write(
    `${profile.model} on ${profile.backend}${profile.native ? " + native oneDNN" : ""}, batch ${profile.batch}: step ${profile.stepMs.toFixed(0)} ms ` +
      `(${profile.stepGflops} GFLOP/s${profile.peakGflops ? ` of a ${profile.peakGflops} GFLOP/s one-thread GEMM peak` : ""}), kernels ${profile.kernelMs.toFixed(0)} ms\n`
  );
  for (const k of profile.kernels.slice(0, 25)) {
    const rate = k.gflops !== undefined ? ` ${String(k.gflops).padStart(6)} GFLOP/s${k.shareOfPeak !== undefined ? ` (${(100 * k.shareOfPeak).toFixed(0)}% of peak)` : ""}` : "";
    process.stderr.write(`${k.kernel.padEnd(36)} ${k.calls.toFixed(0).padStart(5)} calls ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)}%${rate}\n`);
  }
  printJson(profile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runCli(main);
