// Does each tfjs backend work in this browser, and how fast: a 2x2 matrix product checked against its known
// result, then a face-sized convolution (one 48x48 grey image, 32 filters of 3x3, as a small model's first
// layer) timed over 10 runs after a warm-up. tfjs and the backend switch are passed in (src/vendor/tfjs.js).

import type * as TF from "@tensorflow/tfjs";

export interface BackendCheck {
  backend: string;
  ok: boolean;
  /** Mean milliseconds per convolution; NaN when the backend failed. */
  ms: number;
  note: string;
}

async function backendNote(tf: typeof TF, name: string): Promise<string> {
  if (name === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    return `WebAssembly${simd ? " with SIMD" : " without SIMD"}${threads ? ", threads" : ", one thread"}`;
  }
  if (name === "webgl") return `WebGL ${tf.env().getNumber("WEBGL_VERSION")}`;
  return "plain JavaScript";
}

export async function checkBackend(tf: typeof TF, useBackend: (preferred: string[]) => Promise<string>, name: string, {runs = 10} = {}): Promise<BackendCheck> {
  try {
    const used = await useBackend([name]);
    if (used !== name) throw new Error(`expected backend ${name}, got ${used}`);
    const product = await tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]))).data();
    const correct = [19, 22, 43, 50].every((v, i) => product[i] === v);
    const image = tf.randomUniform([1, 48, 48, 1], 0, 1, "float32", 1) as TF.Tensor4D;
    const kernel = tf.randomNormal([3, 3, 1, 32], 0, 0.1, "float32", 2) as TF.Tensor4D;
    await tf.tidy(() => tf.conv2d(image, kernel, 1, "same")).data(); // warm-up: compiles shaders, instantiates wasm
    const start = performance.now();
    for (let i = 0; i < runs; i++) await tf.tidy(() => tf.conv2d(image, kernel, 1, "same")).data();
    const ms = (performance.now() - start) / runs;
    tf.dispose([image, kernel]);
    return {backend: name, ok: correct, ms, note: await backendNote(tf, name)};
  } catch (error) {
    return {backend: name, ok: false, ms: NaN, note: String((error as Error)?.message ?? error)};
  }
}

/** Every backend in turn; the fastest that works is left selected. */
export async function checkBackends(tf: typeof TF, useBackend: (preferred: string[]) => Promise<string>, backends: readonly string[]): Promise<{results: BackendCheck[]; best: string | undefined}> {
  const results: BackendCheck[] = [];
  for (const name of backends) results.push(await checkBackend(tf, useBackend, name));
  const best = results.filter((r) => r.ok).sort((a, b) => a.ms - b.ms)[0];
  if (best) await useBackend([best.backend]);
  return {results, best: best?.backend};
}
