// Gradient kernels that tfjs-backend-wasm 4.22 lacks or runs slowly, rewritten in terms of its fast
// XNNPACK forward convolutions (or, for depthwise filters, tight loops on the wasm heap), and registered
// with tf.registerKernel so that tf.grad/variableGrads and model training work on `wasm`.
import * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import {heapView as heap} from "./wasm-heap.js";

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];
type KernelFunc = (args: {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap}) => TensorInfo;

const BACKEND = "wasm";

/** Names of the kernels this module registers on the wasm backend (replacing any built-in one). */
export const WASM_GRADIENT_KERNELS = [
  "MaxPoolGrad",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter"
] as const;

// The built-in kernels we compose; looked up lazily because their setup runs when the backend starts.
function builtin(name: string): KernelFunc {
  const config = tf.getKernel(name, BACKEND);
  if (config == null) throw new Error(`wasm backend has no ${name} kernel to build gradients from`);
  return config.kernelFunc as unknown as KernelFunc;
}

function run(backend: BackendWasm, name: string, inputs: tf.NamedTensorInfoMap, attrs: object = {}): TensorInfo {
  return builtin(name)({inputs, backend, attrs: attrs as tf.NamedAttrMap});
}

function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function assertChannelsLast(dataFormat: unknown, kernel: string): void {
  if (dataFormat != null && dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(`${kernel} on wasm supports only NHWC data, got dataFormat ${String(dataFormat)}`);
  }
}

/**
 * Spreads dy [N, oh, ow, C] to [N, (oh-1)*sh+1, (ow-1)*sw+1, C] with zeros between rows and columns, so
 * that a strided convolution's transpose becomes a stride-1 convolution.
 */
function dilateSpatially(backend: BackendWasm, dy: TensorInfo, strideHeight: number, strideWidth: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape as Shape4;
  if (strideHeight === 1 && strideWidth === 1) {
    backend.incRef(dy.dataId);
    return {dataId: dy.dataId, shape: dy.shape, dtype: dy.dtype};
  }
  const spread = run(backend, "Reshape", {x: dy}, {shape: [n, oh, 1, ow, 1, c]});
  const padded = run(
    backend,
    "PadV2",
    {x: spread},
    {paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0}
  );
  const flat = run(backend, "Reshape", {x: padded}, {shape: [n, oh * strideHeight, ow * strideWidth, c]});
  const out = run(
    backend,
    "Slice",
    {x: flat},
    {begin: [0, 0, 0, 0], size: [n, (oh - 1) * strideHeight + 1, (ow - 1) * strideWidth + 1, c]}
  );
  release(backend, spread, padded, flat);
  return out;
}

/** Paddings of the stride-1 convolution over dilated dy whose output has the input's spatial size. */
function transposedPadding(convInfo: tf.backend_util.Conv2DInfo): [[number, number], [number, number]] {
  const dilatedHeight = (convInfo.outHeight - 1) * convInfo.strideHeight + 1;
  const dilatedWidth = (convInfo.outWidth - 1) * convInfo.strideWidth + 1;
  const top = convInfo.filterHeight - 1 - convInfo.padInfo.top;
  const left = convInfo.filterWidth - 1 - convInfo.padInfo.left;
  const bottom = convInfo.inHeight + convInfo.filterHeight - 1 - dilatedHeight - top;
  const right = convInfo.inWidth + convInfo.filterWidth - 1 - dilatedWidth - left;
  return [[top, bottom], [left, right]];
}

// dx = stride-1 convolution of the zero-dilated dy with the spatially flipped filter, in and out swapped.
const conv2DBackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const {dy, filter} = inputs as {dy: TensorInfo; filter: TensorInfo};
  const {strides, pad, dataFormat, dimRoundingMode, inputShape} = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertChannelsLast(dataFormat, "Conv2DBackpropInput");
  const convInfo = tf.backend_util.computeConv2DInfo(
    inputShape as Shape4, filter.shape as Shape4, strides, 1, pad, dimRoundingMode
  );
  const dilated = dilateSpatially(backend, dy, convInfo.strideHeight, convInfo.strideWidth);
  const flipped = run(backend, "Reverse", {x: filter}, {dims: [0, 1]});
  const swapped = run(backend, "Transpose", {x: flipped}, {perm: [0, 1, 3, 2]});
  const [[top, bottom], [left, right]] = transposedPadding(convInfo);
  const dx = run(
    backend,
    "Conv2D",
    {x: dilated, filter: swapped},
    {strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: "NHWC", dilations: [1, 1]}
  );
  release(backend, dilated, flipped, swapped);
  return dx;
};

// The wasm Transpose kernel takes ~50 ns per element on these permutations; these loops take a few.

/** [N, H, W, C] -> [C, H, W, N]: per pixel, an N x C block transposed, in tiles. */
function swapBatchAndChannels(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape as Shape4;
  const out = backend.makeOutput([c, h, w, n], "float32");
  const src = heap(backend, x);
  const dst = heap(backend, out);
  const pixels = h * w;
  const tile = 16;
  for (let p = 0; p < pixels; p++) {
    for (let n0 = 0; n0 < n; n0 += tile) {
      const n1 = Math.min(n, n0 + tile);
      for (let c0 = 0; c0 < c; c0 += tile) {
        const c1 = Math.min(c, c0 + tile);
        for (let b = n0; b < n1; b++) {
          const from = (b * pixels + p) * c;
          for (let k = c0; k < c1; k++) dst[(k * pixels + p) * n + b] = src[from + k];
        }
      }
    }
  }
  return out;
}

/** [A, H, W, C] -> [H, W, A, C]: whole channel rows move, so each is one copy. */
function batchToThirdAxis(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const [a, h, w, c] = x.shape as Shape4;
  const out = backend.makeOutput([h, w, a, c], "float32");
  const src = heap(backend, x);
  const dst = heap(backend, out);
  const pixels = h * w;
  for (let b = 0; b < a; b++) {
    for (let p = 0; p < pixels; p++) {
      const from = (b * pixels + p) * c;
      dst.set(src.subarray(from, from + c), (p * a + b) * c);
    }
  }
  return out;
}

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]: a convolution of
 * x with batch and channel axes swapped ([ci,H,W,N]) by dy used as the filter ([oh,ow,N,co], dilated by the
 * stride), whose "output pixels" are the filter taps.
 */
const conv2DBackpropFilter: KernelFunc = ({inputs, backend, attrs}) => {
  const {x, dy} = inputs as {x: TensorInfo; dy: TensorInfo};
  const {strides, pad, dataFormat, dimRoundingMode, filterShape} = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertChannelsLast(dataFormat, "Conv2DBackpropFilter");
  const convInfo = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape as Shape4, strides, 1, pad, dimRoundingMode
  );
  const {filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inHeight, inWidth} = convInfo;
  const top = convInfo.padInfo.top;
  const left = convInfo.padInfo.left;
  // Rows/columns past the last tap that any output reads are cropped; the rest is padded with zeros.
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;
  let source = x;
  const temporaries: TensorInfo[] = [];
  if (bottom < 0 || right < 0) {
    const [n, , , c] = x.shape as Shape4;
    source = run(backend, "Slice", {x}, {
      begin: [0, 0, 0, 0],
      size: [n, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), c]
    });
    temporaries.push(source);
  }
  const xSwapped = swapBatchAndChannels(backend, source);
  const dySwapped = batchToThirdAxis(backend, dy);
  const taps = run(
    backend,
    "Conv2D",
    {x: xSwapped, filter: dySwapped},
    {
      strides: [1, 1],
      pad: [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
      dataFormat: "NHWC",
      dilations: [strideHeight, strideWidth]
    }
  );
  const dw = batchToThirdAxis(backend, taps);
  release(backend, xSwapped, dySwapped, taps, ...temporaries);
  return dw;
};

function depthwiseInfo(
  inShape: Shape4,
  filterShape: Shape4,
  attrs: {strides: number | [number, number]; dilations?: number | [number, number]; pad: unknown; dimRoundingMode?: string}
): tf.backend_util.Conv2DInfo {
  const dilations = attrs.dilations ?? 1;
  const [dh, dw] = typeof dilations === "number" ? [dilations, dilations] : dilations;
  if (dh !== 1 || dw !== 1) throw new Error(`depthwise gradients on wasm support dilation 1, got ${dh}x${dw}`);
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "round" | undefined,
    true
  );
}


/**
 * Depthwise gradients are loops straight on the wasm heap: their cost is a few multiply-adds per element,
 * small against the pointwise convolutions around them, and a loop avoids the transposes a conv trick needs.
 */
const depthwiseBackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const {dy, filter} = inputs as {dy: TensorInfo; filter: TensorInfo};
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = depthwiseInfo(a.inputShape as Shape4, filter.shape as Shape4, a);
  const {batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels} = info;
  const {filterHeight, filterWidth, strideHeight, strideWidth} = info;
  const multiplier = outChannels / inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(info.inShape, "float32");
  // Views are taken after makeOutput, which may grow (and detach) the wasm memory.
  const dxv = heap(backend, dx);
  const dyv = heap(backend, dy);
  const fv = heap(backend, filter);
  dxv.fill(0);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyBase = ((n * outHeight + oy) * outWidth + ox) * outChannels;
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = oy * strideHeight + ky - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth + kx - left;
            if (ix < 0 || ix >= inWidth) continue;
            const dxBase = ((n * inHeight + iy) * inWidth + ix) * inChannels;
            const fBase = (ky * filterWidth + kx) * outChannels;
            if (multiplier === 1) {
              for (let c = 0; c < inChannels; c++) dxv[dxBase + c] += dyv[dyBase + c] * fv[fBase + c];
            } else {
              for (let c = 0; c < inChannels; c++) {
                let sum = 0;
                for (let m = 0; m < multiplier; m++) sum += dyv[dyBase + c * multiplier + m] * fv[fBase + c * multiplier + m];
                dxv[dxBase + c] += sum;
              }
            }
          }
        }
      }
    }
  }
  return dx;
};

const depthwiseBackpropFilter: KernelFunc = ({inputs, backend, attrs}) => {
  const {x, dy} = inputs as {x: TensorInfo; dy: TensorInfo};
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = depthwiseInfo(x.shape as Shape4, a.filterShape as Shape4, a);
  const {batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels} = info;
  const {filterHeight, filterWidth, strideHeight, strideWidth} = info;
  const multiplier = outChannels / inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dw = backend.makeOutput(a.filterShape, "float32");
  const dwv = heap(backend, dw);
  const xv = heap(backend, x);
  const dyv = heap(backend, dy);
  // Accumulate in float64 per tap: sums run over N*oh*ow terms, where float32 drifts past 1e-4.
  const acc = new Float64Array(outChannels);
  for (let ky = 0; ky < filterHeight; ky++) {
    for (let kx = 0; kx < filterWidth; kx++) {
      acc.fill(0);
      for (let n = 0; n < batchSize; n++) {
        for (let oy = 0; oy < outHeight; oy++) {
          const iy = oy * strideHeight + ky - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let ox = 0; ox < outWidth; ox++) {
            const ix = ox * strideWidth + kx - left;
            if (ix < 0 || ix >= inWidth) continue;
            const xBase = ((n * inHeight + iy) * inWidth + ix) * inChannels;
            const dyBase = ((n * outHeight + oy) * outWidth + ox) * outChannels;
            if (multiplier === 1) {
              for (let c = 0; c < inChannels; c++) acc[c] += xv[xBase + c] * dyv[dyBase + c];
            } else {
              for (let c = 0; c < inChannels; c++) {
                const xValue = xv[xBase + c];
                for (let m = 0; m < multiplier; m++) acc[c * multiplier + m] += xValue * dyv[dyBase + c * multiplier + m];
              }
            }
          }
        }
      }
      dwv.set(acc, (ky * filterWidth + kx) * outChannels);
    }
  }
  return dw;
};

// tfjs-backend-wasm 4.22's own MaxPoolGrad routes gradients to the wrong inputs when the stride exceeds 1;
// this loop sends each dy to the first maximum of its window, as the cpu backend does.
const maxPoolGrad: KernelFunc = ({inputs, backend, attrs}) => {
  const {dy, input} = inputs as {dy: TensorInfo; input: TensorInfo};
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const {batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth} = info;
  const filterHeight = info.effectiveFilterHeight;
  const filterWidth = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, "float32");
  const dxv = heap(backend, dx);
  const xv = heap(backend, input);
  const dyv = heap(backend, dy);
  dxv.fill(0);
  const best = new Int32Array(inChannels);
  const bestValue = new Float32Array(inChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        best.fill(-1);
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = oy * strideHeight + ky - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth + kx - left;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((n * inHeight + iy) * inWidth + ix) * inChannels;
            for (let c = 0; c < inChannels; c++) {
              const value = xv[base + c];
              if (best[c] < 0 || value > bestValue[c]) {
                best[c] = base + c;
                bestValue[c] = value;
              }
            }
          }
        }
        const dyBase = ((n * outHeight + oy) * outWidth + ox) * inChannels;
        for (let c = 0; c < inChannels; c++) if (best[c] >= 0) dxv[best[c]] += dyv[dyBase + c];
      }
    }
  }
  return dx;
};

const KERNELS: Record<(typeof WASM_GRADIENT_KERNELS)[number], KernelFunc> = {
  MaxPoolGrad: maxPoolGrad,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter
};

/** Registers (or re-registers) our gradient kernels on the wasm backend; safe to call more than once. */
export function registerWasmGradientKernels(): void {
  for (const name of WASM_GRADIENT_KERNELS) {
    if (tf.getKernel(name, BACKEND) != null) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({kernelName: name, backendName: BACKEND, kernelFunc: KERNELS[name] as unknown as tf.KernelFunc});
  }
}
