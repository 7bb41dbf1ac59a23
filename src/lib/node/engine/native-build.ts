// Builds and loads the optional native addon (native/dnnl_kernels.cc, oneDNN): compiled once per source
// version with g++ into .cache/engine/native/, only where oneDNN's headers (Debian: libdnnl-dev) and Node's
// headers are installed. Anything missing means no addon, and the engine stays on pure wasm.
import {execFileSync} from "node:child_process";
import {createHash} from "node:crypto";
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync} from "node:fs";
import {createRequire} from "node:module";
import path from "node:path";
import {fileURLToPath} from "node:url";

export interface NativeAddon {
  conv2d(heap: ArrayBuffer, kind: 0 | 1 | 2, params: Float64Array): void;
  batchNormForward(heap: ArrayBuffer, params: Float64Array): void;
  batchNormBackward(heap: ArrayBuffer, params: Float64Array): void;
  maxPoolGrad(heap: ArrayBuffer, params: Float64Array): void;
  matmul(heap: ArrayBuffer, params: Float64Array): void;
  reluGrad(heap: ArrayBuffer, params: Float64Array): void;
  columnSum(heap: ArrayBuffer, params: Float64Array): void;
  /** Adam update in place: settings [learningRate, beta1, beta2, epsilon, correction1, correction2, decay]. */
  adam(params: Float32Array, gradient: Float32Array, m: Float32Array, v: Float32Array, settings: Float64Array): void;
  /** out = slots[0] + slots[1] + ..., in that order. */
  sumInto(out: Float32Array, slots: Float32Array[]): void;
  /** Threads oneDNN may use from the calling thread; returns the count now in effect. */
  setThreads(threads: number): number;
}

const SOURCE = fileURLToPath(new URL("./native/dnnl_kernels.cc", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const OUTPUT_DIR = path.join(REPO_ROOT, ".cache", "engine", "native");

function nodeIncludeDir(): string | null {
  const candidates = [
    path.join(path.dirname(path.dirname(process.execPath)), "include", "node"),
    "/usr/include/node",
    "/usr/local/include/node"
  ];
  return candidates.find((dir) => existsSync(path.join(dir, "node_api.h"))) ?? null;
}

function oneDnnAvailable(): boolean {
  return ["/usr/include/dnnl.hpp", "/usr/local/include/dnnl.hpp"].some((file) => existsSync(file));
}

/** Where the addon for the current source lives (its name carries a hash of the source). */
export function nativeAddonPath(): string {
  const hash = createHash("sha256").update(readFileSync(SOURCE)).digest("hex").slice(0, 12);
  return path.join(OUTPUT_DIR, `dnnl_kernels-${hash}.node`);
}

/** Compiles the addon; throws with the compiler's message when it cannot. */
export function buildNativeAddon(): string {
  const output = nativeAddonPath();
  const include = nodeIncludeDir();
  if (include == null) throw new Error("cannot build native kernels: node_api.h not found (install Node's headers)");
  if (!oneDnnAvailable()) throw new Error("cannot build native kernels: dnnl.hpp not found (apt-get install libdnnl-dev)");
  mkdirSync(OUTPUT_DIR, {recursive: true});
  // One build at a time (test files start in parallel): others wait for the lock holder's result.
  const lock = `${output}.lock`;
  let lockFd: number;
  try {
    lockFd = openSync(lock, "wx");
  } catch {
    const deadline = Date.now() + 120_000;
    while (!existsSync(output) && existsSync(lock) && Date.now() < deadline) sleepSync(200);
    if (existsSync(output)) return output;
    rmSync(lock, {force: true}); // a builder that died left it
    return buildNativeAddon();
  }
  // Build under a private name, then rename, so no one loads a half-written file.
  const temporary = `${output}.${process.pid}.tmp`;
  try {
    execFileSync(
      "g++",
      ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=c++17", `-I${include}`, SOURCE, "-ldnnl", "-o", temporary],
      {stdio: ["ignore", "ignore", "pipe"]}
    );
    renameSync(temporary, output);
  } catch (error) {
    rmSync(temporary, {force: true});
    const stderr = (error as {stderr?: Buffer}).stderr?.toString().trim();
    throw new Error(`cannot build native kernels: ${stderr || (error as Error).message}`);
  } finally {
    closeSync(lockFd);
    rmSync(lock, {force: true});
  }
  return output;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let cached: NativeAddon | null | undefined;

/**
 * The addon, building it first when `build` is true and it is missing; null when it cannot be had.
 * FER_NATIVE=0 in the environment turns it off.
 */
export function loadNativeAddon({build = true}: {build?: boolean} = {}): NativeAddon | null {
  if (cached !== undefined && (cached != null || !build)) return cached;
  if (process.env.FER_NATIVE === "0") return (cached = null);
  try {
    const file = nativeAddonPath();
    if (!existsSync(file)) {
      if (!build || !oneDnnAvailable() || nodeIncludeDir() == null) return (cached = null);
      buildNativeAddon();
    }
    // OpenMP's default spin-waiting burns the cores that other workers (or other programs) need; libgomp
    // reads this when the addon loads it.
    process.env.OMP_WAIT_POLICY ??= "PASSIVE";
    const require = createRequire(import.meta.url);
    cached = require(file) as NativeAddon;
  } catch (error) {
    process.stderr.write(`warning: native kernels unavailable, using wasm only (${(error as Error).message.split("\n")[0]})\n`);
    cached = null;
  }
  return cached;
}
