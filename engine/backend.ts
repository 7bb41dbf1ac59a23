// Picks the fastest tfjs backend this Node process can train on: native TensorFlow through the optional
// @tensorflow/tfjs-node when it is installed, else wasm (SIMD) with our gradient kernels, else pure-JS cpu.
// On wasm it first checks the tfjs internals the engine relies on (tfjs-internals.ts), and says once per
// process when the native oneDNN kernels are missing and training will be several times slower.
import * as tf from "@tensorflow/tfjs";
import {createRequire} from "node:module";
import path from "node:path";
import {registerBatchNormTraining} from "./batch-norm.js";
import {registerConvLayer} from "./conv-layer.js";
import {registerDropout} from "./dropout.js";
import {loadNativeAddon, nativeUnavailableReason, noteNativeUnavailable} from "./native-build.js";
import {registerNativeKernels} from "./native-kernels.js";
import {HOOKED_LAYERS, checkTfjsInternals} from "./tfjs-internals.js";
import {registerWasmGradientKernels} from "./wasm-kernels.js";
import {registerWasmOverrides} from "./wasm-overrides.js";

export type BackendPreference = "node" | "wasm" | "cpu";

export interface TrainingBackendOptions {
  /** First backend to try; each falls back to the next of node -> wasm -> cpu. Default "node". */
  prefer?: BackendPreference;
  /**
   * On wasm, use the optional oneDNN addon for convolutions (built on first use where libdnnl-dev is
   * installed). Default true; FER_NATIVE=0 in the environment also turns it off.
   */
  native?: boolean;
  /** Threads the native convolutions may use from this thread. Default 1 (parallel workers use the cores). */
  threads?: number;
}

export interface TrainingBackend {
  /** tfjs backend name: "tensorflow" (tfjs-node), "wasm" or "cpu". */
  backend: string;
  /** Threads one tfjs op may use in this thread (wasm and cpu run one; use parallel workers for more). */
  threads: number;
  /** Whether convolutions run in the native oneDNN addon (wasm only). */
  native: boolean;
}

const FALLBACK_ORDER: Record<BackendPreference, BackendPreference[]> = {
  node: ["node", "wasm", "cpu"],
  wasm: ["wasm", "cpu"],
  cpu: ["cpu"]
};

let wasmPathsSet = false;
let internalsChecked = false;

async function tryNode(_options: TrainingBackendOptions): Promise<TrainingBackend | null> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    const specifier = "@tensorflow/tfjs-node";
    await import(specifier);
  } catch {
    return null;
  }
  if (!(await tf.setBackend("tensorflow"))) return null;
  await tf.ready();
  const {availableParallelism, cpus} = await import("node:os");
  return {backend: "tensorflow", threads: availableParallelism?.() ?? cpus().length, native: true};
}

async function tryWasm({native = true, threads = 1}: TrainingBackendOptions): Promise<TrainingBackend | null> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  if (!wasmPathsSet) {
    // In Node the backend reads its .wasm files from disk; point it at the installed package.
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    wasm.setWasmPaths(dist + path.sep);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend("wasm"))) return null;
  await tf.ready();
  if (!internalsChecked) {
    // Before the engine registers its kernels: the check looks for the built-in ones they wrap.
    checkTfjsInternals({
      versions: {
        "@tensorflow/tfjs-core": tf.version_core,
        "@tensorflow/tfjs-layers": tf.version["tfjs-layers"],
        "@tensorflow/tfjs-backend-wasm": wasm.version_wasm
      },
      backend: tf.backend(),
      hasKernel: (name) => tf.getKernel(name, "wasm") != null,
      layerClasses: Object.fromEntries(
        HOOKED_LAYERS.map((name) => [name, tf.serialization.SerializationMap.getMap().classNameMap[name]?.[0]])
      )
    });
    internalsChecked = true;
  }
  registerWasmGradientKernels();
  const addon = native ? loadNativeAddon() : null;
  const reason = native && addon == null ? nativeUnavailableReason() : null;
  if (reason != null) noteNativeUnavailable(reason);
  registerBatchNormTraining(addon);
  registerWasmOverrides(addon);
  registerConvLayer();
  registerDropout(addon);
  if (addon == null) return {backend: "wasm", threads: wasm.getThreadsCount(), native: false};
  registerNativeKernels(addon);
  return {backend: "wasm", threads: addon.setThreads(threads), native: true};
}

async function tryCpu(_options: TrainingBackendOptions): Promise<TrainingBackend | null> {
  if (!(await tf.setBackend("cpu"))) return null;
  await tf.ready();
  return {backend: "cpu", threads: 1, native: false};
}

const STARTERS: Record<BackendPreference, (options: TrainingBackendOptions) => Promise<TrainingBackend | null>> = {
  node: tryNode,
  wasm: tryWasm,
  cpu: tryCpu
};

/**
 * Makes the best available backend current: `prefer` names the first to try (default "node"); each falls
 * back to the next of node -> wasm -> cpu. Calling it again is cheap. Once the native kernels are
 * registered in a thread they stay (they replace wasm kernels process-wide for that thread).
 */
export async function initTrainingBackend(options: TrainingBackendOptions = {}): Promise<TrainingBackend> {
  const prefer = options.prefer ?? "node";
  const order = FALLBACK_ORDER[prefer];
  if (order == null) throw new Error(`unknown backend preference: ${String(prefer)} (expected node, wasm or cpu)`);
  for (const name of order) {
    const started = await STARTERS[name](options);
    if (started != null) return started;
  }
  throw new Error(`no tfjs backend could start (tried ${order.join(", ")})`);
}
