// Dropout in training as one kernel on wasm. tfjs's dropout draws its uniform numbers in JavaScript with
// seedrandom's alea (a generator object per call, a float per element), then runs Add, Floor, Multiply and
// RealDiv over the activation, and its gradient multiplies again: seed-vgg's seven dropout layers cost about
// as much as its BatchNorm. EngineDropout writes the output and the kept elements' scale (0 or 1 / keep) in
// one pass (a native loop where the addon is built, else JavaScript; the same draws either way) from a
// counter-based hash of (seed, index), whose 32-bit seed the layer draws from Math.random as
// tfjs does (the trainer seeds Math.random per step, so runs repeat and resume exactly); its gradient is one
// Multiply by that scale. Only training-mode calls of plain Dropout layers (no noise shape, no fixed seed) on
// wasm are rerouted; inference, other backends and the saved model are unchanged. Off with
// FER_ENGINE_OFF=dropout.
import * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import type {NativeAddon} from "./native-build.js";
import {heapBuffer, heapOffset as offsetOf, heapView as view} from "./wasm-heap.js";
import {engineFeatureOn} from "./features.js";
import {layerClass} from "./batch-norm.js";

export const DROPOUT = "EngineDropout";
const BACKEND = "wasm";

interface DropoutAttrs {
  /** The fraction dropped, in (0, 1). */
  rate: number;
  /** 32-bit seed of this call's mask. */
  seed: number;
}

/**
 * Element i of the mask with this seed is kept when keptHash(seed, i) / 2^32 < 1 - rate: murmur3's 32-bit
 * finalizer over seed + (i + 1) * golden ratio, so any element's draw is independent of the others' and of
 * the order they are computed in.
 */
export function keptHash(seed: number, index: number): number {
  let z = (seed + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Writes y = x * scale and the scale (0, or 1 / (1 - rate) where kept) of each element. */
export function dropoutForward(x: Float32Array, y: Float32Array, scale: Float32Array, rate: number, seed: number): void {
  const keep = 1 - rate;
  const threshold = keep * 4294967296;
  const kept = Math.fround(1 / keep);
  for (let i = 0; i < x.length; i++) {
    const s = keptHash(seed, i) < threshold ? kept : 0;
    scale[i] = s;
    y[i] = x[i] * s;
  }
}

let registered = false;

/** Registers EngineDropout and its gradient on wasm, and routes Dropout layers' training calls through it. */
export function registerDropout(addon: NativeAddon | null): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: DROPOUT,
    backendName: BACKEND,
    kernelFunc: (({inputs, backend, attrs}: {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap}) => {
      const {x} = inputs as {x: tf.TensorInfo};
      const {rate, seed} = attrs as unknown as DropoutAttrs;
      const y = backend.makeOutput(x.shape, "float32");
      const scale = backend.makeOutput(x.shape, "float32");
      const size = x.shape.reduce((a, b) => a * b, 1);
      // The heap and views after both allocations: a growing heap replaces the buffer.
      if (addon != null) {
        addon.dropout(heapBuffer(backend), Float64Array.from([offsetOf(backend, x), offsetOf(backend, y), offsetOf(backend, scale), size, rate, seed]));
      } else {
        dropoutForward(view(backend, x), view(backend, y), view(backend, scale), rate, seed);
      }
      return [y, scale];
    }) as unknown as tf.KernelFunc
  });
  tf.registerGradient({
    kernelName: DROPOUT,
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [scale] = saved;
      return {x: () => tf.mul(dy, scale)};
    }
  });

  interface DropoutLayer {
    rate: number;
    noiseShape: unknown;
    seed: number | undefined;
    invokeCallHook(inputs: unknown, kwargs: unknown): void;
  }
  type LayerCall = (this: DropoutLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: {training?: boolean}) => tf.Tensor | tf.Tensor[];
  const prototype = layerClass("Dropout").prototype as unknown as {call: LayerCall};
  const original = prototype.call;
  prototype.call = function (this: DropoutLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const usable =
      kwargs?.training === true && tf.getBackend() === BACKEND && engineFeatureOn("dropout") && this.rate > 0 && this.rate < 1 &&
      this.noiseShape == null && this.seed == null && input.dtype === "float32" && (!Array.isArray(inputs) || inputs.length === 1) &&
      // SpatialDropout and the like override the noise shape: only the plain layer.
      Object.getPrototypeOf(this) === prototype;
    if (!usable) return original.call(this, inputs, kwargs);
    this.invokeCallHook(inputs, kwargs);
    const attrs: DropoutAttrs = {rate: this.rate, seed: Math.floor(Math.random() * 4294967296) >>> 0};
    const [output, scale] = tf.engine().runKernel(DROPOUT, {x: input}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    scale.dispose();
    return output;
  };
}
