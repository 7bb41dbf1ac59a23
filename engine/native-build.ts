// Builds and loads the optional native addon (native/dnnl_kernels.cc and its headers, against oneDNN 2.x or
// 3.x): compiled on first use with $CXX, else g++, else clang++, into .cache/engine/native/ under a name that
// carries the sources' hash, the compiler and the oneDNN version, so switching either rebuilds. oneDNN is
// looked for in $DNNLROOT, $ONEDNN_ROOT, Homebrew's prefixes on macOS, /usr/local and /usr. Anything missing
// means no addon: the engine then runs on pure wasm, and backend.ts says so once per process.
import {execFileSync} from "node:child_process";
import {createHash} from "node:crypto";
import {accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync} from "node:fs";
import {createRequire} from "node:module";
import path from "node:path";
import {fileURLToPath} from "node:url";

export interface NativeAddon {
  conv2d(heap: ArrayBuffer, kind: 0 | 1 | 2, params: Float64Array): void;
  batchNormForward(heap: ArrayBuffer, params: Float64Array): void;
  batchNormBackward(heap: ArrayBuffer, params: Float64Array): void;
  /** BatchNorm with the moving statistics: [x, gamma, beta, movingMean, movingVariance, y, rows, channels, epsilon, relu]. */
  batchNormInference(heap: ArrayBuffer, params: Float64Array): void;
  maxPoolGrad(heap: ArrayBuffer, params: Float64Array): void;
  /** A depthwise convolution's input gradient, channel multiplier 1: [dy, filter, dx, n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl]. */
  depthwiseBackpropInput(heap: ArrayBuffer, params: Float64Array): void;
  matmul(heap: ArrayBuffer, params: Float64Array): void;
  reluGrad(heap: ArrayBuffer, params: Float64Array): void;
  columnSum(heap: ArrayBuffer, params: Float64Array): void;
  /** Dropout's forward pass: [x, y, scale, size, rate, seed] (engine/dropout.ts). */
  dropout(heap: ArrayBuffer, params: Float64Array): void;
  /** Adam update in place: settings [learningRate, beta1, beta2, epsilon, correction1, correction2, decay]. */
  adam(params: Float32Array, gradient: Float32Array, m: Float32Array, v: Float32Array, settings: Float64Array): void;
  /** out = slots[0] + slots[1] + ..., in that order. */
  sumInto(out: Float32Array, slots: Float32Array[]): void;
  /** Threads oneDNN may use from the calling thread; returns the count now in effect. */
  setThreads(threads: number): number;
  /** The oneDNN version the addon was compiled against, e.g. "2.6.3". */
  dnnlVersion(): string;
}

export interface Compiler {
  /** The command and its leading arguments (CXX may hold both, e.g. "ccache g++"). */
  command: string[];
  family: "gcc" | "clang";
  version: string;
  /** Family and version, for file names: "gcc12.2.0", "clang14.0.6", "appleclang15.0.0". */
  id: string;
}

export interface OneDnn {
  prefix: string;
  includeDir: string;
  /** Where libdnnl lies; null when only the linker's default path may have it. */
  libDir: string | null;
  version: string;
}

export interface Toolchain {
  compiler: Compiler;
  oneDnn: OneDnn;
  nodeIncludeDir: string;
}

/** File-system reads, injectable so that the search rules can be tested on a fake tree. */
export interface FileProbe {
  exists(file: string): boolean;
  readText(file: string): string | null;
}

const SOURCE_DIR = fileURLToPath(new URL("./native/", import.meta.url));
const SOURCE = path.join(SOURCE_DIR, "dnnl_kernels.cc");
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUTPUT_DIR = path.join(REPO_ROOT, ".cache", "engine", "native");

const REAL_FILES: FileProbe = {
  exists: existsSync,
  readText: (file) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return null;
    }
  }
};

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** The compiler command: CXX when set (split on spaces), else g++, else clang++; null when none is there. */
export function chooseCompilerCommand(env: NodeJS.ProcessEnv, isOnPath: (name: string) => boolean = (name) => onPath(name, env)): string[] | null {
  const fromEnv = env.CXX?.trim();
  if (fromEnv) return fromEnv.split(/\s+/);
  for (const name of ["g++", "clang++"]) if (isOnPath(name)) return [name];
  return null;
}

/** Family and version from the first line of `$CXX --version`. */
export function parseCompilerVersion(text: string): {family: "gcc" | "clang"; version: string; id: string} {
  const first = text.split("\n")[0] ?? "";
  const clang = /clang version (\d+(?:\.\d+)*)/.exec(first);
  if (clang) {
    const apple = /^Apple /.test(first);
    return {family: "clang", version: clang[1], id: `${apple ? "appleclang" : "clang"}${clang[1]}`};
  }
  // g++ prints "g++ (Debian 12.2.0-14) 12.2.0": the version follows the parenthesis; anything else that is
  // not clang is taken as gcc-compatible.
  const gcc = /\)\s+(\d+(?:\.\d+)*)/.exec(first) ?? /(\d+\.\d+(?:\.\d+)?)/.exec(first);
  const version = gcc?.[1] ?? "unknown";
  return {family: "gcc", version, id: `gcc${version}`};
}

/** Where to look for oneDNN, first match wins: explicit roots, then Homebrew (macOS), /usr/local, /usr. */
export function oneDnnPrefixes(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const prefixes = [env.DNNLROOT, env.ONEDNN_ROOT];
  if (platform === "darwin") {
    prefixes.push(env.HOMEBREW_PREFIX && path.join(env.HOMEBREW_PREFIX, "opt", "onednn"), env.HOMEBREW_PREFIX);
    prefixes.push("/opt/homebrew/opt/onednn", "/opt/homebrew", "/usr/local/opt/onednn");
  }
  prefixes.push("/usr/local", "/usr");
  return [...new Set(prefixes.filter((p): p is string => p != null && p !== ""))];
}

function multiarch(arch: string): string {
  return `${arch === "arm64" ? "aarch64" : arch === "x64" ? "x86_64" : arch}-linux-gnu`;
}

/** The first prefix with oneDNN 2.x/3.x headers (include/oneapi/dnnl/dnnl.hpp), its library folder and version. */
export function findOneDnn(prefixes: string[], files: FileProbe = REAL_FILES, arch: string = process.arch): OneDnn | null {
  for (const prefix of prefixes) {
    const includeDir = path.join(prefix, "include");
    if (!files.exists(path.join(includeDir, "oneapi", "dnnl", "dnnl.hpp"))) continue;
    const libDir =
      ["lib64", "lib", path.join("lib", multiarch(arch))]
        .map((dir) => path.join(prefix, dir))
        .find((dir) => ["libdnnl.so", "libdnnl.dylib"].some((name) => files.exists(path.join(dir, name)))) ?? null;
    const header = files.readText(path.join(includeDir, "oneapi", "dnnl", "dnnl_version.h")) ?? "";
    const part = (name: string) => new RegExp(`#define\\s+DNNL_VERSION_${name}\\s+(\\d+)`).exec(header)?.[1];
    const [major, minor, patch] = [part("MAJOR"), part("MINOR"), part("PATCH")];
    const version = major == null ? "unknown" : [major, minor ?? "0", patch ?? "0"].join(".");
    return {prefix, includeDir, libDir, version};
  }
  return null;
}

function nodeIncludeDir(files: FileProbe = REAL_FILES): string | null {
  const candidates = [
    path.join(path.dirname(path.dirname(process.execPath)), "include", "node"),
    "/usr/include/node",
    "/usr/local/include/node"
  ];
  return candidates.find((dir) => files.exists(path.join(dir, "node_api.h"))) ?? null;
}

/** The compiler's arguments, less the command itself. */
export function compileArguments(
  toolchain: Toolchain,
  {source, output, platform = process.platform, arch = process.arch}: {source: string; output: string; platform?: NodeJS.Platform; arch?: string}
): string[] {
  const {oneDnn} = toolchain;
  // The compilers' own search path already holds /usr; naming it again with -I can break #include_next.
  const system = oneDnn.prefix === "/usr";
  const args = ["-O3", arch === "arm64" ? "-mcpu=native" : "-march=native", "-shared", "-fPIC", "-std=c++17", `-I${toolchain.nodeIncludeDir}`];
  if (!system) args.push(`-I${oneDnn.includeDir}`);
  args.push(source);
  if (oneDnn.libDir != null && !system) args.push(`-L${oneDnn.libDir}`, `-Wl,-rpath,${oneDnn.libDir}`);
  args.push("-ldnnl");
  // No -fopenmp: the addon calls the OpenMP runtime that libdnnl loaded (see the .cc), found at load time.
  // macOS: N-API and OpenMP symbols come from the loading process. Linux: bind them all when the addon loads,
  // so a missing one fails require() (and the engine falls back to wasm) instead of aborting mid-training.
  if (platform === "darwin") args.push("-undefined", "dynamic_lookup");
  else args.push("-Wl,-z,now");
  args.push("-o", output);
  return args;
}

let toolchainCache: {toolchain: Toolchain | null; reason: string | null} | undefined;

/** The compiler, oneDNN and Node headers to build with, or why there are none (cached per thread). */
export function findToolchain(env: NodeJS.ProcessEnv = process.env): {toolchain: Toolchain | null; reason: string | null} {
  if (toolchainCache !== undefined) return toolchainCache;
  const find = (): {toolchain: Toolchain | null; reason: string | null} => {
    const command = chooseCompilerCommand(env);
    if (command == null) return {toolchain: null, reason: "no C++ compiler found (CXX is unset, and neither g++ nor clang++ is on the PATH)"};
    let versionText: string;
    try {
      versionText = execFileSync(command[0], [...command.slice(1), "--version"], {encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000});
    } catch (error) {
      return {toolchain: null, reason: `the C++ compiler ${command.join(" ")} does not run (${(error as Error).message.split("\n")[0]})`};
    }
    const prefixes = oneDnnPrefixes(env);
    const oneDnn = findOneDnn(prefixes);
    if (oneDnn == null) return {toolchain: null, reason: `oneDNN's headers (include/oneapi/dnnl/dnnl.hpp) are not in ${prefixes.join(", ")}`};
    const include = nodeIncludeDir();
    if (include == null) return {toolchain: null, reason: "Node's headers (node_api.h) are not installed next to node or in /usr/include/node"};
    return {toolchain: {compiler: {command, ...parseCompilerVersion(versionText)}, oneDnn, nodeIncludeDir: include}, reason: null};
  };
  return (toolchainCache = find());
}

/** The addon's file name: source hash (with the build's arguments and compiler), compiler id, oneDNN version. */
export function addonFileName(hash: string, compiler: Pick<Compiler, "id">, oneDnn: Pick<OneDnn, "version">): string {
  return `dnnl_kernels-${hash}-${compiler.id}-onednn${oneDnn.version}.node`;
}

/** Where the addon for the current sources and toolchain lives; null when there is no toolchain. */
export function nativeAddonPath(): string | null {
  const {toolchain} = findToolchain();
  if (toolchain == null) return null;
  const hash = createHash("sha256");
  // The .cc and the headers beside it, so that editing any of them rebuilds.
  for (const name of readdirSync(SOURCE_DIR).filter((file) => /\.(cc|h)$/.test(file)).sort()) {
    hash.update(name).update(readFileSync(path.join(SOURCE_DIR, name)));
  }
  const digest = hash
    .update(JSON.stringify([toolchain.compiler, toolchain.oneDnn, compileArguments(toolchain, {source: "", output: ""})]))
    .digest("hex")
    .slice(0, 12);
  return path.join(OUTPUT_DIR, addonFileName(digest, toolchain.compiler, toolchain.oneDnn));
}

/** Compiles the addon; throws with the compiler's message when it cannot. */
export function buildNativeAddon(): string {
  const {toolchain, reason} = findToolchain();
  const output = nativeAddonPath();
  if (toolchain == null || output == null) throw new Error(`cannot build native kernels: ${reason}`);
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
  const [command, ...leading] = toolchain.compiler.command;
  try {
    execFileSync(command, [...leading, ...compileArguments(toolchain, {source: SOURCE, output: temporary})], {stdio: ["ignore", "ignore", "pipe"]});
    renameSync(temporary, output);
  } catch (error) {
    rmSync(temporary, {force: true});
    const stderr = (error as {stderr?: Buffer}).stderr?.toString().trim() ?? "";
    // The first error line says what is wrong; the rest is context the user can get by building by hand.
    const firstError = stderr.split("\n").find((line) => /error/i.test(line)) ?? stderr.split("\n")[0];
    throw new Error(`compiling native/dnnl_kernels.cc with ${toolchain.compiler.command.join(" ")} failed: ${firstError || (error as Error).message}`);
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
let failure: string | null = null;

// Set in process.env when the addon could not be had: the worker threads a trainer starts afterwards copy the
// environment and skip the build that just failed, instead of each running the compiler again.
const UNAVAILABLE = "FER_NATIVE_UNAVAILABLE";

/**
 * The addon, building it first when `build` is true and it is missing; null when it cannot be had (then
 * nativeUnavailableReason() says why). FER_NATIVE=0 in the environment turns it off. A failed build is not
 * retried in the same thread, nor in the threads it starts afterwards.
 */
export function loadNativeAddon({build = true}: {build?: boolean} = {}): NativeAddon | null {
  if (cached !== undefined && (cached != null || !build || failure != null)) return cached;
  if (process.env.FER_NATIVE === "0") {
    failure = null;
    return (cached = null);
  }
  const inherited = process.env[UNAVAILABLE];
  if (inherited) {
    failure = inherited;
    return (cached = null);
  }
  try {
    const file = nativeAddonPath();
    if (file == null) throw new Error(findToolchain().reason ?? "no toolchain");
    if (!existsSync(file)) {
      if (!build) return (cached = null);
      buildNativeAddon();
    }
    // OpenMP's default spin-waiting burns the cores that other workers (or other programs) need; the runtime
    // reads this when the addon's libdnnl loads it.
    process.env.OMP_WAIT_POLICY ??= "PASSIVE";
    const require = createRequire(import.meta.url);
    cached = require(file) as NativeAddon;
    failure = null;
  } catch (error) {
    failure = (error as Error).message.split("\n")[0];
    process.env[UNAVAILABLE] = failure;
    cached = null;
  }
  return cached;
}

/** Why loadNativeAddon() returned null in this thread; null when it did not, or when FER_NATIVE=0 chose so. */
export function nativeUnavailableReason(): string | null {
  return failure;
}

// engine/PROFILE.md, batch 64 on the 2-core AVX-512 build machine: the bench (fer-lite, one worker) and the
// one-thread profile (seed-vgg); pure wasm lacks oneDNN's AVX-512 convolutions.
export const PURE_WASM_SLOWDOWN =
  "about 5-6x slower for fer-lite (46 against 251 images/s on one worker, 68 against 396 on two) and about 8x for " +
  "seed-vgg (about 25 s against 3.1 s per step), as measured in engine/PROFILE.md";

/** The one notice for a process whose training falls back to pure wasm. */
export function nativeUnavailableNotice(reason: string, platform: NodeJS.Platform = process.platform): string {
  const fix =
    platform === "darwin"
      ? "brew install onednn (and Xcode's command line tools for clang++)"
      : "apt-get install libdnnl-dev g++ (Debian, Ubuntu)";
  return (
    `note: the native oneDNN kernels are not available, so training runs on pure WebAssembly: ${reason}.\n` +
    `  Expect it to be ${PURE_WASM_SLOWDOWN}.\n` +
    `  To fix: ${fix}, or point DNNLROOT at a oneDNN 2.x/3.x install; the addon builds on the next start.\n` +
    "  FER_NATIVE=0 chooses pure WebAssembly without this note.\n"
  );
}

// Set in process.env once the notice is out: worker threads start with a copy of the environment, so the
// workers a trainer starts after its main thread printed it stay quiet.
const NOTICE_SHOWN = "FER_NATIVE_NOTICE_SHOWN";

/** Prints the notice unless this process (or the thread that started this one) already did. */
export function noteNativeUnavailable(
  reason: string,
  {env = process.env, write = (text: string) => void process.stderr.write(text)}: {env?: NodeJS.ProcessEnv; write?: (text: string) => void} = {}
): void {
  if (env[NOTICE_SHOWN] === "1") return;
  env[NOTICE_SHOWN] = "1";
  write(nativeUnavailableNotice(reason));
}
