// BatchNorm training in two fused kernels (forward: normalize + batch mean/variance + the moving statistics'
// update; backward: dx, dgamma, dbeta), replacing the dozen broadcast/tile/sum ops that tfjs-layers' training
// path costs on wasm. A BatchNorm whose only consumer is a ReLU layer (fuseBatchNormRelu marks them) also
// applies the ReLU forward and its mask backward, saving a pass over the activation each way; the ReLU layer
// then passes the rectified tensor on. A BatchNorm whose input a ReLU convolution rectified (seed-vgg's order;
// conv-layer.ts marks those outputs) applies that ReLU's mask to the input gradient it writes, and marks the
// gradient so that the convolution skips its own mask pass. Only training-mode calls on the wasm backend are rerouted; inference,
// other backends and unusual configurations keep tfjs's own code. Each fusion can be switched off
// (features.ts: FER_ENGINE_OFF=bn-relu, bn-moving, relu-bn).
import * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import type {NativeAddon} from "./native-build.js";
import {heapBuffer, heapOffset as offsetOf, heapView as view} from "./wasm-heap.js";
import {engineFeatureOn} from "./features.js";

type TensorInfo = tf.TensorInfo;

export const BATCH_NORM_TRAINING = "EngineBatchNormTraining";
export const BATCH_NORM_TRAINING_GRAD = "EngineBatchNormTrainingGrad";
export const BATCH_NORM_INFERENCE = "EngineBatchNormInference";


interface ForwardOptions {
  epsilon: number;
  relu: boolean;
  /** The moving statistics and where their update goes, or null to leave them to the caller. */
  moving: {mean: Float32Array; variance: Float32Array; newMean: Float32Array; newVariance: Float32Array; momentum: number} | null;
}

function forwardJs(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, options: ForwardOptions): void {
  const channels = gamma.length;
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) sum[c] += x[i + c];
  for (let c = 0; c < channels; c++) mean[c] = sum[c] / rows;
  const squares = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = x[i + c] - mean[c];
      squares[c] += d * d;
    }
  }
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    variance[c] = squares[c] / rows;
    scale[c] = gamma[c] / Math.sqrt(variance[c] + options.epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  const {moving} = options;
  if (moving != null) {
    for (let c = 0; c < channels; c++) {
      moving.newMean[c] = moving.mean[c] - (moving.mean[c] - mean[c]) * (1 - moving.momentum);
      moving.newVariance[c] = moving.variance[c] - (moving.variance[c] - variance[c]) * (1 - moving.momentum);
    }
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = x[i + c] * scale[c] + shift[c];
      y[i + c] = options.relu && !(v > 0) ? 0 : v;
    }
  }
}

function backwardJs(
  dy: Float32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, mean: Float32Array, invStd: Float32Array,
  dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, relu: boolean, maskInput: boolean
): void {
  const channels = gamma.length;
  const rows = x.length / channels;
  // The forward pass's scale and shift, for the ReLU's mask (where its output was positive).
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c] * invStd[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  const sumDy = new Float64Array(channels);
  const sumDyXhat = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = relu && !(x[i + c] * scale[c] + shift[c] > 0) ? 0 : dy[i + c];
      sumDy[c] += g;
      sumDyXhat[c] += g * (x[i + c] - mean[c]) * invStd[c];
    }
  }
  const k = new Float32Array(channels);
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    dbeta[c] = sumDy[c];
    dgamma[c] = sumDyXhat[c];
    k[c] = gamma[c] * invStd[c];
    a[c] = sumDy[c] / rows;
    b[c] = sumDyXhat[c] / rows;
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = relu && !(x[i + c] * scale[c] + shift[c] > 0) ? 0 : dy[i + c];
      const xhat = (x[i + c] - mean[c]) * invStd[c];
      dx[i + c] = maskInput && !(x[i + c] > 0) ? 0 : k[c] * (g - a[c] - xhat * b[c]);
    }
  }
}

/**
 * Inference: y = beta + (x - mean) * gamma / sqrt(variance + epsilon), then max(y, 0) with `relu`, as
 * y = x * k + shift with k and shift computed once per channel (in double precision, as tfjs's cpu backend
 * computes the whole expression) and one multiply-add per element in double, rounded once to float32. tfjs's
 * wasm FusedBatchNorm takes a square root and a division per element in float32; the two agree to about
 * 1e-6 relative (the convolutions' results already move that much with their thread count).
 */
export function batchNormInferenceJs(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, y: Float32Array, epsilon: number, relu: boolean
): void {
  const channels = gamma.length;
  const k = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    k[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
    shift[c] = beta[c] - mean[c] * k[c];
  }
  if (relu) {
    for (let i = 0; i < x.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        const v = x[i + c] * k[c] + shift[c];
        y[i + c] = v > 0 ? v : 0;
      }
    }
  } else {
    for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) y[i + c] = x[i + c] * k[c] + shift[c];
  }
}

type Kernel = (args: {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap}) => TensorInfo[];

interface BatchNormAttrs {
  epsilon: number;
  /** Whether a ReLU follows, fused into the kernel. */
  relu: boolean;
  /** Whether x is a ReLU's output whose gradient mask the backward kernel applies to dx (x > 0). */
  maskInput: boolean;
  /** Read only when movingMean and movingVariance are inputs. */
  momentum: number;
}

let registered = false;

/** Registers the two kernels (native loops when the addon is there), their gradient, and the layer hooks. */
export function registerBatchNormTraining(addon: NativeAddon | null): void {
  if (registered) return;
  registered = true;

  // Inputs x, gamma, beta and, optionally, movingMean and movingVariance; outputs y, the batch mean and
  // variance and, with the moving statistics, their updated values.
  const forward: Kernel = ({inputs, backend, attrs}) => {
    const {x, gamma, beta, movingMean, movingVariance} = inputs as Record<string, TensorInfo | undefined> as {x: TensorInfo; gamma: TensorInfo; beta: TensorInfo; movingMean?: TensorInfo; movingVariance?: TensorInfo};
    const {epsilon, relu, momentum} = attrs as unknown as BatchNormAttrs;
    const channels = gamma.shape[0];
    const y = backend.makeOutput(x.shape, "float32");
    const mean = backend.makeOutput([channels], "float32");
    const variance = backend.makeOutput([channels], "float32");
    const moving = movingMean != null && movingVariance != null;
    const newMean = moving ? backend.makeOutput([channels], "float32") : null;
    const newVariance = moving ? backend.makeOutput([channels], "float32") : null;
    if (addon != null) {
      const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
      addon.batchNormForward(
        heapBuffer(backend),
        Float64Array.from([
          offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, beta), offsetOf(backend, y), offsetOf(backend, mean), offsetOf(backend, variance),
          rows, channels, epsilon, relu ? 1 : 0,
          moving ? offsetOf(backend, movingMean) : -1, moving ? offsetOf(backend, movingVariance) : -1,
          moving ? offsetOf(backend, newMean!) : -1, moving ? offsetOf(backend, newVariance!) : -1, moving ? momentum : 0
        ])
      );
    } else {
      forwardJs(view(backend, x), view(backend, gamma), view(backend, beta), view(backend, y), view(backend, mean), view(backend, variance), {
        epsilon,
        relu,
        moving: moving
          ? {mean: view(backend, movingMean), variance: view(backend, movingVariance), newMean: view(backend, newMean!), newVariance: view(backend, newVariance!), momentum}
          : null
      });
    }
    return moving ? [y, mean, variance, newMean!, newVariance!] : [y, mean, variance];
  };

  const backward: Kernel = ({inputs, backend, attrs}) => {
    const {dy, x, gamma, beta, mean, variance} = inputs as Record<string, TensorInfo>;
    const {epsilon, relu, maskInput} = attrs as unknown as BatchNormAttrs;
    const channels = gamma.shape[0];
    const dx = backend.makeOutput(x.shape, "float32");
    const dgamma = backend.makeOutput([channels], "float32");
    const dbeta = backend.makeOutput([channels], "float32");
    const invStd = backend.makeOutput([channels], "float32");
    {
      const v = view(backend, variance);
      const inv = view(backend, invStd);
      for (let c = 0; c < channels; c++) inv[c] = 1 / Math.sqrt(v[c] + epsilon);
    }
    if (addon != null) {
      const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
      addon.batchNormBackward(
        heapBuffer(backend),
        Float64Array.from([
          offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, beta), offsetOf(backend, mean), offsetOf(backend, invStd),
          offsetOf(backend, dx), offsetOf(backend, dgamma), offsetOf(backend, dbeta), rows, channels, relu ? 1 : 0, maskInput ? 1 : 0
        ])
      );
    } else {
      backwardJs(
        view(backend, dy), view(backend, x), view(backend, gamma), view(backend, beta), view(backend, mean), view(backend, invStd),
        view(backend, dx), view(backend, dgamma), view(backend, dbeta), relu, maskInput
      );
    }
    backend.disposeData(invStd.dataId);
    return [dx, dgamma, dbeta];
  };

  // Inputs x, gamma, beta, movingMean, movingVariance; output y (rectified with `relu`).
  const inference: Kernel = ({inputs, backend, attrs}) => {
    const {x, gamma, beta, movingMean, movingVariance} = inputs as Record<string, TensorInfo>;
    const {epsilon, relu} = attrs as unknown as BatchNormAttrs;
    const y = backend.makeOutput(x.shape, "float32");
    if (addon != null) {
      const channels = gamma.shape[0];
      addon.batchNormInference(
        heapBuffer(backend),
        Float64Array.from([
          offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, beta), offsetOf(backend, movingMean), offsetOf(backend, movingVariance),
          offsetOf(backend, y), x.shape.reduce((a, b) => a * b, 1) / channels, channels, epsilon, relu ? 1 : 0
        ])
      );
    } else {
      batchNormInferenceJs(view(backend, x), view(backend, gamma), view(backend, beta), view(backend, movingMean), view(backend, movingVariance), view(backend, y), epsilon, relu);
    }
    return [y];
  };

  tf.registerKernel({kernelName: BATCH_NORM_INFERENCE, backendName: "wasm", kernelFunc: inference as unknown as tf.KernelFunc});
  tf.registerKernel({kernelName: BATCH_NORM_TRAINING, backendName: "wasm", kernelFunc: forward as unknown as tf.KernelFunc});
  tf.registerKernel({kernelName: BATCH_NORM_TRAINING_GRAD, backendName: "wasm", kernelFunc: backward as unknown as tf.KernelFunc});
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ["x", "gamma", "beta"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, gamma, beta, mean, variance] = saved;
      // Gradients reaching mean/variance come only from the moving-average update, which the loss ignores.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(
        BATCH_NORM_TRAINING_GRAD, {dy, x, gamma, beta, mean, variance}, attrs as unknown as tf.NamedAttrMap
      ) as tf.Tensor[];
      if ((attrs as unknown as BatchNormAttrs).maskInput) maskedGradients.add(dx);
      return {x: () => dx, gamma: () => dgamma, beta: () => dbeta};
    }
  });
  hookBatchNormalizationLayer();
  hookReluLayers();
}

interface BatchNormalizationLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  center: boolean;
  scale: boolean;
  gamma: {read(): tf.Tensor};
  beta: {read(): tf.Tensor};
  movingMean: {read(): tf.Tensor; write(value: tf.Tensor): void};
  movingVariance: {read(): tf.Tensor; write(value: tf.Tensor): void};
  /** Set by fuseBatchNormRelu: the layer's only consumer is a ReLU, which the kernel then applies. */
  engineFusedRelu?: boolean;
}

type LayerCall<T> = (this: T, inputs: tf.Tensor | tf.Tensor[], kwargs: {training?: boolean}) => tf.Tensor;

/** tfjs-layers' class of this name, from the serialization registry (instantiating one to reach it would shift
 * auto-generated layer names in the caller's models). */
export function layerClass(name: string): {prototype: Record<string, unknown>} {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[name];
  if (entry == null) throw new Error(`tfjs-layers ${name} class not found in the serialization registry`);
  return entry[0] as unknown as {prototype: Record<string, unknown>};
}

/** Outputs of the fused kernel, already passed through ReLU: the ReLU layer after them passes them on. */
const fusedReluOutputs = new WeakSet<tf.Tensor>();

/** Outputs of ReLU convolutions (conv-layer.ts), whose mask a BatchNorm taking them applies in its gradient. */
const rectifiedInputs = new WeakSet<tf.Tensor>();
/** Input gradients a BatchNorm kernel wrote with that mask applied. */
const maskedGradients = new WeakSet<tf.Tensor>();

/** Marks a ReLU's output, so that a BatchNorm training on it applies the ReLU's gradient mask (FER_ENGINE_OFF=relu-bn). */
export function markRectified(output: tf.Tensor): void {
  if (engineFeatureOn("relu-bn")) rectifiedInputs.add(output);
}

/**
 * Whether this gradient of a marked ReLU output already has the ReLU's mask applied: true only for the very
 * tensor a BatchNorm's gradient wrote (where the output had several consumers, the tape's sum is a new tensor,
 * and the ReLU applies its mask itself: the mask is idempotent, so the result is the same either way).
 */
export function gradientMasked(dy: tf.Tensor): boolean {
  return maskedGradients.has(dy);
}

function hookBatchNormalizationLayer(): void {
  const prototype = layerClass("BatchNormalization").prototype as unknown as {call: LayerCall<BatchNormalizationLayer>};
  const original = prototype.call;
  prototype.call = function (this: BatchNormalizationLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = this.axis === -1 || this.axis === input.rank - 1;
    if (tf.getBackend() !== "wasm" || !lastAxis || !this.center || !this.scale || input.dtype !== "float32") {
      return original.call(this, inputs, kwargs);
    }
    if (!kwargs?.training) {
      // Under a tape (saliency maps take gradients through a model at inference) tfjs's ops and gradients run.
      if (!engineFeatureOn("bn-inference") || tf.engine().isTapeOn()) return original.call(this, inputs, kwargs);
      const relu = this.engineFusedRelu === true;
      const [output] = tf.engine().runKernel(
        BATCH_NORM_INFERENCE,
        {x: input, gamma: this.gamma.read(), beta: this.beta.read(), movingMean: this.movingMean.read(), movingVariance: this.movingVariance.read()},
        {epsilon: this.epsilon, relu} as unknown as tf.NamedAttrMap
      ) as unknown as tf.Tensor[];
      if (relu) fusedReluOutputs.add(output);
      return output;
    }
    const relu = this.engineFusedRelu === true && engineFeatureOn("bn-relu");
    const attrs = {epsilon: this.epsilon, relu, maskInput: rectifiedInputs.has(input), momentum: this.momentum};
    const layerInputs = {x: input, gamma: this.gamma.read(), beta: this.beta.read()};
    const output = tf.tidy(() => {
      if (engineFeatureOn("bn-moving")) {
        const [normalized, , , newMean, newVariance] = tf.engine().runKernel(
          BATCH_NORM_TRAINING, {...layerInputs, movingMean: this.movingMean.read(), movingVariance: this.movingVariance.read()}, attrs
        ) as tf.Tensor[];
        this.movingMean.write(newMean);
        this.movingVariance.write(newVariance);
        return normalized;
      }
      const [normalized, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, layerInputs, attrs) as tf.Tensor[];
      // The same moving-average update as tfjs-layers (biased batch variance).
      for (const [variable, value] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - this.momentum)));
        });
      }
      return normalized;
    });
    if (relu) fusedReluOutputs.add(output);
    return output;
  };
}

interface ReluLayer {
  maxValue?: number | null;
  activation?: {getClassName(): string};
}

/** A ReLU layer (or Activation("relu")) passes on what the fused kernel already rectified. */
function hookReluLayers(): void {
  for (const name of ["ReLU", "Activation"]) {
    const prototype = layerClass(name).prototype as unknown as {call: LayerCall<ReluLayer>};
    const original = prototype.call;
    prototype.call = function (this: ReluLayer, inputs, kwargs) {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      const plainRelu = name === "ReLU" ? this.maxValue == null : this.activation?.getClassName() === "relu";
      if (plainRelu && fusedReluOutputs.has(input)) return input;
      return original.call(this, inputs, kwargs);
    };
  }
}

interface GraphLayer {
  getClassName(): string;
  inboundNodes: unknown[];
  outboundNodes: {outboundLayer: GraphLayer}[];
  maxValue?: number | null;
  activation?: {getClassName(): string};
}

function isPlainRelu(layer: GraphLayer): boolean {
  const name = layer.getClassName();
  return (name === "ReLU" && layer.maxValue == null) || (name === "Activation" && layer.activation?.getClassName() === "relu");
}

/**
 * Marks every BatchNormalization layer of the model whose one output goes only to a plain ReLU layer, so that
 * training on wasm runs the pair as one kernel each way. Returns how many pairs it marked. Inference, other
 * backends and the saved model are unchanged: the ReLU layer stays, and passes on what the kernel rectified.
 */
export function fuseBatchNormRelu(model: tf.LayersModel): number {
  let pairs = 0;
  for (const layer of model.layers as unknown as GraphLayer[]) {
    if (layer.getClassName() !== "BatchNormalization" || layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) continue;
    if (!isPlainRelu(layer.outboundNodes[0].outboundLayer)) continue;
    (layer as unknown as BatchNormalizationLayer).engineFusedRelu = true;
    pairs++;
  }
  return pairs;
}
