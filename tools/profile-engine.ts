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

/** One convolution layer's share of a step: its forward and gradient kernels, told apart by their shapes. */
export interface ConvLayerTime {
  /** e.g. "32x24x24x16 -> 34 (3x3)": the batch's input, the filters and their size. */
  layer: string;
  /** Kernel name -> ms per step and GFLOP/s (2 x output elements x filter taps x input channels per call). */
  kernels: Record<string, {ms: number; gflops: number}>;
}

const CONV_KERNELS = ["EngineConv2D", "FusedConv2D", "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"];

/** The layer a convolution kernel call belongs to, and its arithmetic, from the shapes tf.profile records. */
export function convCall(name: string, inputShapes: number[][], outputShapes: number[][]): {layer: string; flops: number} | null {
  let x: number[], filter: number[], y: number[];
  if (name === "Conv2DBackpropInput") [y, filter, x] = [inputShapes[0], inputShapes[1], outputShapes[0]];
  else if (name === "Conv2DBackpropFilter") [x, y, filter] = [inputShapes[0], inputShapes[1], outputShapes[0]];
  else if (CONV_KERNELS.includes(name)) [x, filter, y] = [inputShapes[0], inputShapes[1], outputShapes[0]];
  else return null;
  if (x?.length !== 4 || filter?.length !== 4 || y?.length !== 4) return null;
  const [kh, kw, inChannels, outChannels] = filter;
  return {
    layer: `${x.join("x")} -> ${outChannels} (${kh}x${kw})`,
    flops: 2 * y[0] * y[1] * y[2] * outChannels * kh * kw * inChannels
  };
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
  /** The convolutions layer by layer, in the order of their first call (forward order). */
  convLayers: ConvLayerTime[];
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
  // Per kernel name over all steps; flops only for convolutions, counted from each call's shapes.
  const totals = new Map<string, {calls: number; ms: number; flops: number}>();
  const perLayer = new Map<string, Map<string, {ms: number; flops: number}>>();
  let stepMs = 0;
  for (let s = 0; s < options.steps; s++) {
    const started = performance.now();
    const info = await tf.profile(step);
    stepMs += performance.now() - started;
    // Names ending in __op are op scopes that contain kernels already counted.
    for (const kernel of info.kernels.filter((k) => !k.name.endsWith("__op"))) {
      const total = totals.get(kernel.name) ?? {calls: 0, ms: 0, flops: 0};
      total.calls += 1;
      const time = await kernel.kernelTimeMs;
      const ms = typeof time === "number" ? time : 0;
      total.ms += ms;
      totals.set(kernel.name, total);
      const conv = convCall(kernel.name, kernel.inputShapes as number[][], kernel.outputShapes as number[][]);
      if (conv != null) {
        total.flops += conv.flops;
        const layer = perLayer.get(conv.layer) ?? new Map<string, {ms: number; flops: number}>();
        const entry = layer.get(kernel.name) ?? {ms: 0, flops: 0};
        entry.ms += ms;
        entry.flops += conv.flops;
        layer.set(kernel.name, entry);
        perLayer.set(conv.layer, layer);
      }
    }
  }
  // The dense layers' forward FLOPs per step (their matrix products are not told apart by shape here).
  const layers = modelSummary(replica.model).layers;
  const denseFlops = options.batch * layers.filter((l) => l.type === "Dense").reduce((sum, l) => sum + l.flops, 0);
  const allFlops = options.batch * layers.reduce((sum, l) => sum + l.flops, 0);
  const denseKernelFlops: Record<string, number> = {_FusedMatMul: denseFlops, BatchMatMul: 2 * denseFlops};
  replica.dispose();
  const peak = native ? measurePeak({threads: 1}) : null;
  const kernelMs = [...totals.values()].reduce((sum, t) => sum + t.ms, 0) / options.steps;
  const kernels: KernelTime[] = [...totals.entries()]
    .map(([kernel, t]) => ({kernel, calls: t.calls / options.steps, ms: t.ms / options.steps, share: 0}))
    .sort((a, b) => b.ms - a.ms);
  for (const k of kernels) {
    k.share = k.ms / kernelMs;
    // Per step: the convolutions' from their calls (so a skipped input gradient does not count), the rest's from the summary.
    const convolutionFlops = totals.get(k.kernel)!.flops;
    const flops = convolutionFlops > 0 ? convolutionFlops / options.steps : denseKernelFlops[k.kernel];
    if (flops && k.ms > 0) {
      k.gflops = Math.round(flops / (k.ms * 1e5)) / 10;
      if (peak) k.shareOfPeak = Math.round((k.gflops / peak.gflops) * 1000) / 1000;
    }
  }
  const meanStepMs = stepMs / options.steps;
  return {
    model: options.model, backend, native, batch: options.batch, stepMs: meanStepMs, kernelMs,
    peakGflops: peak?.gflops ?? null, stepGflops: Math.round((3 * allFlops) / (meanStepMs * 1e5)) / 10, kernels,
    convLayers: [...perLayer.entries()].map(([layer, byKernel]) => ({
      layer,
      kernels: Object.fromEntries(
        [...byKernel.entries()].map(([name, t]) => [name, {ms: Math.round((t.ms / options.steps) * 100) / 100, gflops: t.ms > 0 ? Math.round(t.flops / (t.ms * 1e5)) / 10 : 0}])
      )
    }))
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
  process.stderr.write("convolutions by layer (ms per step, GFLOP/s): forward | input gradient | filter gradient\n");
  for (const {layer, kernels} of profile.convLayers) {
    const forward = kernels.EngineConv2D ?? kernels.FusedConv2D ?? kernels.Conv2D;
    const cell = (t?: {ms: number; gflops: number}) => (t ? `${t.ms.toFixed(1).padStart(6)} ms ${String(t.gflops).padStart(6)}` : "        -".padEnd(16));
    process.stderr.write(`${layer.padEnd(30)} ${cell(forward)} | ${cell(kernels.Conv2DBackpropInput)} | ${cell(kernels.Conv2DBackpropFilter)}\n`);
  }
  printJson(profile);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runCli(main);
