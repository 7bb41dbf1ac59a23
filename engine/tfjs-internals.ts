// The tfjs internals the engine reads and patches: the wasm backend's heap, tensor table and built-in kernels
// (wasm-heap.ts, wasm-kernels.ts, wasm-overrides.ts, native-kernels.ts) and the tfjs-layers classes whose
// call it hooks (batch-norm.ts, conv-layer.ts, dropout.ts). They are not public API and may change in any release, so the
// engine checks them once per thread when wasm starts, and fails with one message instead of training on
// misread tensors.
export const TFJS_VERSION = "4.22.0";

/** Built-in wasm kernels that the engine's kernels call or wrap. */
export const WASM_KERNELS_USED = [
  "Identity", "Cast", "Sum", "BatchMatMul", "_FusedMatMul", "Conv2D", "FusedConv2D",
  "Reshape", "PadV2", "Reverse", "Slice", "Transpose"
] as const;

export interface TfjsFound {
  /** Package name -> installed version: @tensorflow/tfjs-core, -layers and -backend-wasm. */
  versions: Record<string, string>;
  /** The wasm backend instance (tf.backend() while "wasm" is current), probed with one small tensor. */
  backend: unknown;
  /** Whether the wasm backend has a kernel of this name (tf.getKernel before the engine registers its own). */
  hasKernel: (name: string) => boolean;
  /** tfjs-layers' classes of HOOKED_LAYERS by name, from the serialization registry. */
  layerClasses: Record<string, unknown>;
}

/** tfjs-layers classes whose call the engine hooks on wasm (batch-norm.ts, conv-layer.ts). */
export const HOOKED_LAYERS = ["BatchNormalization", "ReLU", "Activation", "Conv2D", "Dropout"] as const;

type Probed = Record<string, unknown>;

function isFunction(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === "function";
}

function describe(value: unknown): string {
  return typeof value === "number" || typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value;
}

function heapOf(backend: Probed): Uint8Array | null {
  const heap = (backend.wasm as Probed | undefined)?.HEAPU8;
  return heap instanceof Uint8Array && heap.buffer instanceof ArrayBuffer ? heap : null;
}

/** What the wasm backend lacks of the fields wasm-heap.ts reads; writes and frees one 2-float tensor to see. */
export function wasmBackendProblems(backend: unknown): string[] {
  if (backend == null || typeof backend !== "object") return [`the wasm backend is ${describe(backend)}`];
  const b = backend as Probed;
  const problems: string[] = [];
  for (const name of ["makeOutput", "typedArrayFromHeap", "incRef", "disposeData"]) {
    if (!isFunction(b[name])) problems.push(`backend.${name} is ${describe(b[name])}, expected a function`);
  }
  const table = b.dataIdMap as Probed | undefined;
  if (!isFunction(table?.get)) problems.push("backend.dataIdMap.get is not a function");
  if (heapOf(b) == null) problems.push("backend.wasm.HEAPU8 is not a Uint8Array over an ArrayBuffer");
  if (problems.length > 0) return problems;

  let info: {dataId: object};
  try {
    info = (b.makeOutput as (shape: number[], dtype: string) => {dataId: object}).call(b, [2], "float32");
  } catch (error) {
    return [`backend.makeOutput([2], "float32") failed: ${(error as Error).message}`];
  }
  try {
    const offset = ((table!.get as (id: object) => Probed | undefined).call(table, info.dataId) ?? {}).memoryOffset;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset % 4 !== 0) {
      problems.push(`backend.dataIdMap's memoryOffset is ${describe(offset)}, expected a byte offset (a whole number, multiple of 4)`);
    } else {
      // The heap is read again: an allocation may grow the memory and replace its buffer.
      const view = (b.typedArrayFromHeap as (info: object) => unknown).call(b, {...info, shape: [2], dtype: "float32"});
      const heap = heapOf(b);
      if (!(view instanceof Float32Array) || view.buffer !== heap?.buffer || view.byteOffset !== offset || view.length !== 2) {
        problems.push("backend.typedArrayFromHeap does not view backend.wasm.HEAPU8 at the tensor's memoryOffset");
      }
    }
  } catch (error) {
    problems.push(`reading a tensor through backend.dataIdMap failed: ${(error as Error).message}`);
  } finally {
    (b.disposeData as (id: object, force: boolean) => unknown).call(b, info.dataId, true);
  }
  return problems;
}

/** Everything that differs from what the engine was written for; empty when all is as expected. */
export function tfjsInternalsProblems(found: TfjsFound): string[] {
  const problems: string[] = [];
  for (const name of ["@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs-backend-wasm"]) {
    const version = found.versions[name];
    if (version !== TFJS_VERSION) problems.push(`${name} is ${version ?? "missing"}`);
  }
  problems.push(...wasmBackendProblems(found.backend));
  const missing = WASM_KERNELS_USED.filter((name) => !found.hasKernel(name));
  if (missing.length > 0) problems.push(`the wasm backend has no ${missing.join(", ")} kernel${missing.length > 1 ? "s" : ""}`);
  for (const name of HOOKED_LAYERS) {
    const layerClass = found.layerClasses[name] as {prototype?: Probed} | null | undefined;
    if (!isFunction(layerClass?.prototype?.call)) problems.push(`tfjs-layers' ${name} class has no call method to hook`);
  }
  return problems;
}

/** Throws one error naming what differs, the expected version and the fix, when anything does. */
export function checkTfjsInternals(found: TfjsFound): void {
  const problems = tfjsInternalsProblems(found);
  if (problems.length === 0) return;
  throw new Error(
    `the training engine reads tfjs internals and was written for tfjs ${TFJS_VERSION}, but ${problems.join("; ")}. ` +
      `Install the pinned versions (npm ci, or npm install --save-exact @tensorflow/tfjs@${TFJS_VERSION} ` +
      `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}); moving to another tfjs release means rechecking ` +
      "engine/wasm-heap.ts, wasm-kernels.ts, wasm-overrides.ts, native-kernels.ts, batch-norm.ts and conv-layer.ts, then TFJS_VERSION"
  );
}
