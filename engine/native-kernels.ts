// Registers the optional oneDNN addon's kernels on the wasm backend: convolutions (forward, fused
// bias+ReLU, both gradients; Winograd where it pays, unless FER_ENGINE_OFF=winograd; the keep ids of
// engine/conv-layer.ts passed through as attributes), MaxPoolGrad and the input gradient of a depthwise
// convolution of multiplier 1 (anti-aliased pooling's fixed blur) read and write tensors in place in the wasm heap. The addon gets
// the heap's ArrayBuffer and byte offsets, and checks them against the buffer's length before it touches
// memory, so a wrong offset here throws ("conv2d: input at offset ... lies past the heap's ... bytes").
import * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import type {NativeAddon} from "./native-build.js";
import {heapBuffer, heapOffset as offsetOf} from "./wasm-heap.js";
import {engineFeatureOn} from "./features.js";

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];
type KernelFunc = (args: {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap}) => TensorInfo;

const BACKEND = "wasm";

export const NATIVE_KERNELS = [
  "Conv2D", "FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPoolGrad", "DepthwiseConv2dNativeBackpropInput"
] as const;

const FORWARD = 0;
const BACKWARD_DATA = 1;
const BACKWARD_WEIGHTS = 2;


function channelsLast(dataFormat: unknown): boolean {
  return dataFormat == null || dataFormat === "NHWC" || dataFormat === "channelsLast";
}

/** Keep ids (engine/conv-layer.ts) of a call's input and output gradient; -1 where the caller gave none. */
interface KeepIds {
  keepX?: number;
  keepDy?: number;
}

function convParams(
  convInfo: tf.backend_util.Conv2DInfo,
  offsets: {x: number; w: number; y: number; bias: number},
  relu: boolean,
  {keepX = -1, keepDy = -1}: KeepIds = {}
): Float64Array {
  const effectiveHeight = (convInfo.filterHeight - 1) * convInfo.dilationHeight + 1;
  const effectiveWidth = (convInfo.filterWidth - 1) * convInfo.dilationWidth + 1;
  const top = convInfo.padInfo.top;
  const left = convInfo.padInfo.left;
  // oneDNN wants the right/bottom padding that makes the output size exact (negative when rows are unused).
  const bottom = (convInfo.outHeight - 1) * convInfo.strideHeight + effectiveHeight - convInfo.inHeight - top;
  const right = (convInfo.outWidth - 1) * convInfo.strideWidth + effectiveWidth - convInfo.inWidth - left;
  return Float64Array.from([
    offsets.x, offsets.w, offsets.y, offsets.bias,
    convInfo.batchSize, convInfo.inHeight, convInfo.inWidth, convInfo.inChannels, convInfo.outChannels,
    convInfo.filterHeight, convInfo.filterWidth, convInfo.strideHeight, convInfo.strideWidth,
    top, left, bottom, right, convInfo.outHeight, convInfo.outWidth,
    convInfo.dilationHeight, convInfo.dilationWidth, relu ? 1 : 0, engineFeatureOn("winograd") ? 1 : 0, keepX, keepDy
  ]);
}


/** The window geometry maxPoolGrad and depthwiseBackpropInput read after their three offsets (window_geometry in the .cc). */
function windowGeometry(info: tf.backend_util.Conv2DInfo, filterHeight: number, filterWidth: number): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    filterHeight, filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left
  ];
}

let registered = false;

/** Whether this thread's wasm backend runs the native kernels. */
export function nativeKernelsRegistered(): boolean {
  return registered;
}

/** Registers the native kernels once per thread; later calls do nothing. */
export function registerNativeKernels(addon: NativeAddon): void {
  if (registered) return;
  registered = true;
  const builtins = new Map<string, KernelFunc>();
  for (const name of NATIVE_KERNELS) {
    const config = tf.getKernel(name, BACKEND);
    if (config != null) builtins.set(name, config.kernelFunc as unknown as KernelFunc);
  }
  const fallback = (name: string, args: Parameters<KernelFunc>[0]): TensorInfo => {
    const kernel = builtins.get(name);
    if (kernel == null) throw new Error(`wasm backend has no built-in ${name} to fall back to`);
    return kernel(args);
  };

  const forward = (args: Parameters<KernelFunc>[0], fused: boolean): TensorInfo => {
    const {inputs, backend} = args;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const {x, filter, bias, preluActivationWeights} = inputs as {x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo};
    const activation = fused ? attrs.activation ?? "linear" : "linear";
    const outChannels = filter.shape[3];
    const biasUsable = bias == null || (bias.shape.length === 1 && bias.shape[0] === outChannels);
    if (!channelsLast(attrs.dataFormat) || !["linear", "relu"].includes(activation) || preluActivationWeights != null || !biasUsable) {
      return fallback(fused ? "FusedConv2D" : "Conv2D", args);
    }
    const convInfo = tf.backend_util.computeConv2DInfo(
      x.shape as Shape4, filter.shape as Shape4, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode
    );
    const out = backend.makeOutput(convInfo.outShape, "float32");
    const params = convParams(
      convInfo,
      {x: offsetOf(backend, x), w: offsetOf(backend, filter), y: offsetOf(backend, out), bias: bias == null ? -1 : offsetOf(backend, bias)},
      activation === "relu",
      args.attrs as KeepIds
    );
    addon.conv2d(heapBuffer(backend), FORWARD, params);
    return out;
  };

  const backpropInput: KernelFunc = (args) => {
    const {inputs, backend} = args;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (!channelsLast(attrs.dataFormat)) return fallback("Conv2DBackpropInput", args);
    const {dy, filter} = inputs as {dy: TensorInfo; filter: TensorInfo};
    const convInfo = tf.backend_util.computeConv2DInfo(
      attrs.inputShape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode
    );
    const dx = backend.makeOutput(convInfo.inShape, "float32");
    const params = convParams(convInfo, {x: offsetOf(backend, dx), w: offsetOf(backend, filter), y: offsetOf(backend, dy), bias: -1}, false, attrs as KeepIds);
    addon.conv2d(heapBuffer(backend), BACKWARD_DATA, params);
    return dx;
  };

  const backpropFilter: KernelFunc = (args) => {
    const {inputs, backend} = args;
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (!channelsLast(attrs.dataFormat)) throw new Error("Conv2DBackpropFilter on wasm supports only NHWC data");
    const {x, dy} = inputs as {x: TensorInfo; dy: TensorInfo};
    const convInfo = tf.backend_util.computeConv2DInfo(
      x.shape as Shape4, attrs.filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode
    );
    const dw = backend.makeOutput(attrs.filterShape, "float32");
    const params = convParams(convInfo, {x: offsetOf(backend, x), w: offsetOf(backend, dw), y: offsetOf(backend, dy), bias: -1}, false, attrs as KeepIds);
    addon.conv2d(heapBuffer(backend), BACKWARD_WEIGHTS, params);
    return dw;
  };

  const maxPoolGrad: KernelFunc = (args) => {
    const {inputs, backend} = args;
    const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const {dy, input} = inputs as {dy: TensorInfo; input: TensorInfo};
    const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const dx = backend.makeOutput(input.shape, "float32");
    addon.maxPoolGrad(
      heapBuffer(backend),
      Float64Array.from([
        offsetOf(backend, input), offsetOf(backend, dy), offsetOf(backend, dx),
        ...windowGeometry(info, info.effectiveFilterHeight, info.effectiveFilterWidth)
      ])
    );
    return dx;
  };

  // Multiplier 1 and no dilation (every depthwise layer our models have); anything else goes to the
  // JavaScript loop of engine/wasm-kernels.ts.
  const depthwiseBackpropInput: KernelFunc = (args) => {
    const {inputs, backend} = args;
    const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const {dy, filter} = inputs as {dy: TensorInfo; filter: TensorInfo};
    const dilations = attrs.dilations ?? 1;
    const dilated = typeof dilations === "number" ? dilations !== 1 : dilations.some((d) => d !== 1);
    if (filter.shape[3] !== 1 || dilated) return fallback("DepthwiseConv2dNativeBackpropInput", args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad as "same", attrs.dimRoundingMode as "round" | undefined, true
    );
    const dx = backend.makeOutput(info.inShape, "float32");
    addon.depthwiseBackpropInput(
      heapBuffer(backend),
      Float64Array.from([
        offsetOf(backend, dy), offsetOf(backend, filter), offsetOf(backend, dx),
        ...windowGeometry(info, info.filterHeight, info.filterWidth)
      ])
    );
    return dx;
  };

  const kernels: Record<(typeof NATIVE_KERNELS)[number], KernelFunc> = {
    Conv2D: (args) => forward(args, false),
    FusedConv2D: (args) => forward(args, true),
    Conv2DBackpropInput: backpropInput,
    Conv2DBackpropFilter: backpropFilter,
    MaxPoolGrad: maxPoolGrad,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput
  };
  for (const name of NATIVE_KERNELS) {
    if (tf.getKernel(name, BACKEND) != null) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({kernelName: name, backendName: BACKEND, kernelFunc: kernels[name] as unknown as tf.KernelFunc});
  }
}
