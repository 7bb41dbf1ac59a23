// BatchNorm training in two fused kernels (forward: normalize + batch mean/variance; backward: dx, dgamma,
// dbeta), replacing the dozen broadcast/tile/sum ops that tfjs-layers' training path costs on wasm. Only the
// training-mode call of tf.layers.batchNormalization on the wasm backend is rerouted; inference, other
// backends and unusual configurations keep tfjs's own code.
import * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import type {NativeAddon} from "./native-build.js";
import {heapBuffer, heapOffset as offsetOf, heapView as view} from "./wasm-heap.js";

type TensorInfo = tf.TensorInfo;

export const BATCH_NORM_TRAINING = "EngineBatchNormTraining";
export const BATCH_NORM_TRAINING_GRAD = "EngineBatchNormTrainingGrad";


function forwardJs(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number): void {
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
    scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) y[i + c] = x[i + c] * scale[c] + shift[c];
}

function backwardJs(
  dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, invStd: Float32Array,
  dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array
): void {
  const channels = gamma.length;
  const rows = x.length / channels;
  const sumDy = new Float64Array(channels);
  const sumDyXhat = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dy[i + c];
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
      const xhat = (x[i + c] - mean[c]) * invStd[c];
      dx[i + c] = k[c] * (dy[i + c] - a[c] - xhat * b[c]);
    }
  }
}

let registered = false;

/** Registers the two kernels (native loops when the addon is there), their gradient, and the layer hook. */
export function registerBatchNormTraining(addon: NativeAddon | null): void {
  if (registered) return;
  registered = true;

  const forward = ({inputs, backend, attrs}: {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap}) => {
    const {x, gamma, beta} = inputs as {x: TensorInfo; gamma: TensorInfo; beta: TensorInfo};
    const epsilon = (attrs as {epsilon: number}).epsilon;
    const channels = gamma.shape[0];
    const y = backend.makeOutput(x.shape, "float32");
    const mean = backend.makeOutput([channels], "float32");
    const variance = backend.makeOutput([channels], "float32");
    if (addon != null) {
      const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
      addon.batchNormForward(
        heapBuffer(backend),
        Float64Array.from([offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, beta), offsetOf(backend, y), offsetOf(backend, mean), offsetOf(backend, variance), rows, channels, epsilon])
      );
    } else {
      forwardJs(view(backend, x), view(backend, gamma), view(backend, beta), view(backend, y), view(backend, mean), view(backend, variance), epsilon);
    }
    return [y, mean, variance];
  };

  const backward = ({inputs, backend, attrs}: {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap}) => {
    const {dy, x, gamma, mean, variance} = inputs as Record<string, TensorInfo>;
    const epsilon = (attrs as {epsilon: number}).epsilon;
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
          offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, gamma), offsetOf(backend, mean), offsetOf(backend, invStd),
          offsetOf(backend, dx), offsetOf(backend, dgamma), offsetOf(backend, dbeta), rows, channels
        ])
      );
    } else {
      backwardJs(view(backend, dy), view(backend, x), view(backend, gamma), view(backend, mean), view(backend, invStd), view(backend, dx), view(backend, dgamma), view(backend, dbeta));
    }
    backend.disposeData(invStd.dataId);
    return [dx, dgamma, dbeta];
  };

  tf.registerKernel({kernelName: BATCH_NORM_TRAINING, backendName: "wasm", kernelFunc: forward as unknown as tf.KernelFunc});
  tf.registerKernel({kernelName: BATCH_NORM_TRAINING_GRAD, backendName: "wasm", kernelFunc: backward as unknown as tf.KernelFunc});
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, gamma, mean, variance] = saved;
      // Gradients reaching mean/variance come only from the moving-average update, which the loss ignores.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(
        BATCH_NORM_TRAINING_GRAD, {dy, x, gamma, mean, variance}, attrs as unknown as tf.NamedAttrMap
      ) as tf.Tensor[];
      return {x: () => dx, gamma: () => dgamma, beta: () => dbeta};
    }
  });
  hookBatchNormalizationLayer();
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
}

type LayerCall = (this: BatchNormalizationLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: {training?: boolean}) => tf.Tensor;

function hookBatchNormalizationLayer(): void {
  // The class, from the serialization registry: instantiating a layer to reach it would shift auto-generated
  // layer names in the caller's models.
  const entry = tf.serialization.SerializationMap.getMap().classNameMap["BatchNormalization"];
  if (entry == null) throw new Error("tfjs-layers BatchNormalization class not found in the serialization registry");
  const prototype = (entry[0] as unknown as {prototype: {call: LayerCall}}).prototype;
  const original = prototype.call;
  prototype.call = function (this: BatchNormalizationLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = this.axis === -1 || this.axis === input.rank - 1;
    if (!kwargs?.training || tf.getBackend() !== "wasm" || !lastAxis || !this.center || !this.scale || input.dtype !== "float32") {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const [normalized, mean, variance] = tf.engine().runKernel(
        BATCH_NORM_TRAINING, {x: input, gamma: this.gamma.read(), beta: this.beta.read()}, {epsilon: this.epsilon}
      ) as tf.Tensor[];
      // The same moving-average update as tfjs-layers (biased batch variance).
      for (const [variable, value] of [[this.movingMean, mean], [this.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const current = variable.read();
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - this.momentum)));
        });
      }
      return normalized;
    });
  };
}
