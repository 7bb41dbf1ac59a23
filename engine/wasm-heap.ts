// Direct access to tensors in the wasm backend's heap, for kernels that compute in place (JS loops or the
// native addon) instead of through tfjs ops. These read tfjs-backend-wasm internals (dataIdMap, wasm.HEAPU8):
// tfjs-internals.ts checks at start-up that they are what this code expects.
import type * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  const entry = backend.dataIdMap.get(info.dataId);
  // A tensor of another backend (or a disposed one) has no entry: fail here rather than pass NaN to a kernel.
  if (entry == null) throw new Error(`tensor of shape [${info.shape.join(", ")}] is not in the wasm backend's heap (disposed, or on another backend)`);
  return entry.memoryOffset;
}

/** The heap's current ArrayBuffer; read it after every makeOutput, since growing the memory replaces it. */
export function heapBuffer(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as {HEAPU8: Uint8Array}).HEAPU8.buffer as ArrayBuffer;
}

/** A float32 view of a tensor's data, valid until the next allocation. */
export function heapView(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info as tf.TensorInfo & {dataId: object}) as Float32Array;
}
