// Convolution layers as one engine op on wasm, whose gradient computes only what the tape asks for.
// tfjs-layers' Conv2D runs tfjs's fused conv2d, whose custom gradient computes the input, filter and bias
// gradients together whether or not they are needed: the first convolution's input gradient (the image
// needs none) costs as much as its forward pass. EngineConv2D runs the same forward kernel (FusedConv2D:
// the native oneDNN one where the addon is built) and returns one gradient closure per input, which tfjs's
// tape calls only for inputs that lead back to a trained variable. A ReLU activation's mask is applied to the
// output gradient once, shared by the closures, or not at all where a BatchNorm's gradient kernel applied it
// already (batch-norm.ts; FER_ENGINE_OFF=relu-bn). Off with FER_ENGINE_OFF=conv-grads.
// While a tape records, each forward input and each output gradient gets a keep id (attributes keepX and
// keepDy), under which the native addon keeps a Winograd layer's blocked copy of it for the second call that
// reads it (the filter gradient; the other gradient), instead of reordering it again (FER_ENGINE_OFF=keep-blocked).
import * as tf from "@tensorflow/tfjs";
import {engineFeatureOn} from "./features.js";
import {gradientMasked, layerClass, markRectified} from "./batch-norm.js";
import {RELU_GRAD} from "./wasm-overrides.js";

export const ENGINE_CONV2D = "EngineConv2D";
const BACKEND = "wasm";

interface EngineConvAttrs {
  strides: [number, number];
  pad: "same" | "valid";
  dataFormat: "NHWC";
  dilations: [number, number];
  activation: "linear" | "relu";
  /** The forward input's keep id; -1 where no gradient will follow (no tape recording). */
  keepX: number;
}

// Keep ids are never reused within a thread, so a kept copy can only be taken by the calls that share its id.
let lastKeepId = -1;
const keepId = (): number => (engineFeatureOn("keep-blocked") ? ++lastKeepId : -1);

interface ConvLayer {
  rank: number;
  filters: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  kernel: {read(): tf.Tensor};
  bias: {read(): tf.Tensor} | null;
  activation: {getClassName(): string} | null;
}

type LayerCall = (this: ConvLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor;

let registered = false;

/** Registers EngineConv2D (forward kernel and gradient) on wasm and routes plain Conv2D layers through it. */
export function registerConvLayer(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: ENGINE_CONV2D,
    backendName: BACKEND,
    // Looked up per call: the native kernels may replace FusedConv2D after this registration.
    kernelFunc: (args) => tf.getKernel("FusedConv2D", BACKEND)!.kernelFunc(args)
  });
  tf.registerGradient({
    kernelName: ENGINE_CONV2D,
    inputsToSave: ["x", "filter"],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved;
      const {strides, pad, activation, keepX} = attrs as unknown as EngineConvAttrs;
      // The output gradient through the activation; y > 0 exactly where the pre-activation was.
      const masked = activation !== "relu" || gradientMasked(dy as tf.Tensor);
      const g = masked ? (dy as tf.Tensor) : (tf.engine().runKernel(RELU_GRAD, {dy: dy as tf.Tensor, x: y}) as tf.Tensor);
      const common = {strides, pad, dataFormat: "NHWC", keepDy: keepId()};
      return {
        x: () => tf.engine().runKernel("Conv2DBackpropInput", {dy: g, filter}, {...common, inputShape: x.shape}) as tf.Tensor,
        filter: () => tf.engine().runKernel("Conv2DBackpropFilter", {x, dy: g}, {...common, keepX, filterShape: filter.shape}) as tf.Tensor,
        bias: () => tf.sum(g, [0, 1, 2])
      };
    }
  });

  const prototype = layerClass("Conv2D").prototype as unknown as {call: LayerCall};
  const original = prototype.call;
  prototype.call = function (this: ConvLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const activation = this.activation?.getClassName() ?? "linear";
    const usable =
      tf.getBackend() === BACKEND && engineFeatureOn("conv-grads") && this.rank === 2 && input.rank === 4 && input.dtype === "float32" &&
      this.dataFormat === "channelsLast" && this.dilationRate.every((d) => d === 1) && (this.padding === "same" || this.padding === "valid") &&
      (activation === "linear" || activation === "relu");
    if (!usable) return original.call(this, inputs, kwargs);
    const attrs: EngineConvAttrs = {
      strides: [this.strides[0], this.strides[1] ?? this.strides[0]],
      pad: this.padding as "same" | "valid",
      dataFormat: "NHWC",
      dilations: [1, 1],
      activation,
      keepX: tf.engine().isTapeOn() ? keepId() : -1
    };
    const convInputs: Record<string, tf.Tensor> = {x: input, filter: this.kernel.read()};
    if (this.bias != null) convInputs.bias = this.bias.read();
    const output = tf.engine().runKernel(ENGINE_CONV2D, convInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    if (activation === "relu") markRectified(output);
    return output;
  };
}
