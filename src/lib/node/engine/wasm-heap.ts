// Direct access to tensors in the wasm backend's heap, for kernels that compute in place (JS loops or the
// native addon) instead of through tfjs ops.
import type * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset as number;
}

/** The heap's current ArrayBuffer; read it after every makeOutput, since growing the memory replaces it. */
export function heapBuffer(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as {HEAPU8: Uint8Array}).HEAPU8.buffer as ArrayBuffer;
}

/** A float32 view of a tensor's data, valid until the next allocation. */
export function heapView(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info as tf.TensorInfo & {dataId: object}) as Float32Array;
}
