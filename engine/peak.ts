// The roofline's ceiling: how many FP32 FLOP/s this machine's cores reach in oneDNN's own large GEMM
// (2 x M x N x K per product, M = N = K = 1536 by default, best of `repeats`), through the native addon's
// matmul, on `threads` threads. Training speeds are reported as a share of it (npm run bench -- train,
// tools/profile-engine.ts). Null where the addon is not built (pure wasm has no such ceiling to compare with).

import {loadNativeAddon} from "./native-build.js";

export interface Peak {
  gflops: number;
  threads: number;
  size: number;
}

export function measurePeak({threads = 1, size = 1536, repeats = 5}: {threads?: number; size?: number; repeats?: number} = {}): Peak | null {
  const addon = loadNativeAddon();
  if (!addon) return null;
  const elements = size * size;
  const heap = new ArrayBuffer(elements * 4 * 3);
  const view = new Float32Array(heap);
  for (let i = 0; i < 2 * elements; i++) view[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const params = Float64Array.from([0, elements * 4, 2 * elements * 4, -1, 1, 1, size, size, size, 0, 0, 0]);
  const previous = addon.setThreads(threads);
  try {
    addon.matmul(heap, params);
    let best = Infinity;
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      addon.matmul(heap, params);
      best = Math.min(best, performance.now() - started);
    }
    return {gflops: Math.round((2 * size ** 3) / (best * 1e6)), threads, size};
  } finally {
    addon.setThreads(previous);
  }
}
