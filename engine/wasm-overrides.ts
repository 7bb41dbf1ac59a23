// Replacements for wasm kernels that cost a training step far more than their work: Identity and same-type
// Cast copy whole activations (tfjs clones every tensor it saves for backprop), Sum over the leading axes
// transposes first, BatchMatMul with a transposed operand falls back to a naive loop, and ReLU's gradient
// takes three passes. Each runs natively when the oneDNN addon is loaded, else as a loop on the wasm heap.
import * as tf from "@tensorflow/tfjs";
import type {BackendWasm} from "@tensorflow/tfjs-backend-wasm";
import type {NativeAddon} from "./native-build.js";
import {heapBuffer, heapOffset, heapView} from "./wasm-heap.js";

type TensorInfo = tf.TensorInfo;
type KernelArgs = {inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap};
type KernelFunc = (args: KernelArgs) => TensorInfo;
type FusedMatMulAttrs = tf.BatchMatMulAttrs & {activation?: string};

const BACKEND = "wasm";
export const RELU_GRAD = "EngineReluGrad";

function shared(backend: BackendWasm, x: TensorInfo, dtype = x.dtype): TensorInfo {
  // Tensors are immutable in tfjs (variables get new data on assign), so sharing data is safe, as the cpu
  // backend's Identity does.
  backend.incRef(x.dataId);
  return {dataId: x.dataId, shape: x.shape, dtype};
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** out[batch][c][r] = x[batch][r][c], in cache-sized tiles. */
function transposeLast2(x: Float32Array, out: Float32Array, batch: number, rows: number, columns: number): void {
  const tile = 32;
  for (let b = 0; b < batch; b++) {
    const base = b * rows * columns;
    for (let r0 = 0; r0 < rows; r0 += tile) {
      const r1 = Math.min(rows, r0 + tile);
      for (let c0 = 0; c0 < columns; c0 += tile) {
        const c1 = Math.min(columns, c0 + tile);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) out[base + c * rows + r] = x[base + r * columns + c];
        }
      }
    }
  }
}

let registered = false;

export function registerWasmOverrides(addon: NativeAddon | null): void {
  if (registered) return;
  registered = true;
  const builtin = (name: string): KernelFunc => {
    const config = tf.getKernel(name, BACKEND);
    if (config == null) throw new Error(`wasm backend has no ${name} kernel`);
    return config.kernelFunc as unknown as KernelFunc;
  };
  const identityBuiltin = builtin("Identity");
  const castBuiltin = builtin("Cast");
  const sumBuiltin = builtin("Sum");
  const matMulBuiltin = builtin("BatchMatMul");
  const fusedMatMulBuiltin = builtin("_FusedMatMul");

  const identity: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    return x.dtype === "string" ? identityBuiltin(args) : shared(args.backend, x);
  };

  const cast: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const dtype = (args.attrs as {dtype: tf.DataType}).dtype;
    return dtype === x.dtype && dtype !== "string" ? shared(args.backend, x) : castBuiltin(args);
  };

  // Reductions over all leading axes (bias and BatchNorm gradients: NHWC summed over N, H, W).
  const sum: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const {axis, keepDims} = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    // Empty tensors go to the built-in kernel: the in-place loops below (and the addon's checks) need a whole grid.
    if (!leading || x.dtype !== "float32" || size(x.shape) === 0) return sumBuiltin(args);
    const {backend} = args;
    const columns = size(x.shape.slice(axes.length));
    const rows = size(x.shape) / columns;
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = backend.makeOutput(outShape, "float32");
    if (addon != null) {
      addon.columnSum(heapBuffer(backend), Float64Array.from([heapOffset(backend, x), heapOffset(backend, out), rows, columns]));
    } else {
      const xv = heapView(backend, x);
      const totals = new Float64Array(columns);
      for (let i = 0; i < xv.length; i += columns) for (let c = 0; c < columns; c++) totals[c] += xv[i + c];
      heapView(backend, out).set(totals);
    }
    return out;
  };

  const matMulShapes = (a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean) => {
    const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return {m, k, n, batchA, batchB, outShape: [...outer, m, n]};
  };

  const nativeMatMul = (args: KernelArgs, fused: boolean): TensorInfo | null => {
    if (addon == null) return null;
    const {a, b, bias, preluActivationWeights} = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as FusedMatMulAttrs;
    const activation = fused ? attrs.activation ?? "linear" : "linear";
    const {m, k, n, batchA, batchB, outShape} = matMulShapes(a!, b!, attrs.transposeA, attrs.transposeB);
    const batchesOk = batchA === batchB || batchA === 1 || batchB === 1;
    const biasOk = bias == null || (bias.shape.length === 1 && bias.shape[0] === n);
    if (!batchesOk || !biasOk || preluActivationWeights != null || !["linear", "relu"].includes(activation) || a!.dtype !== "float32") return null;
    const {backend} = args;
    const out = backend.makeOutput(outShape, "float32");
    addon.matmul(
      heapBuffer(backend),
      Float64Array.from([
        heapOffset(backend, a!), heapOffset(backend, b!), heapOffset(backend, out), bias == null ? -1 : heapOffset(backend, bias),
        batchA, batchB, m, n, k, attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0, activation === "relu" ? 1 : 0
      ])
    );
    return out;
  };

  // Without the addon: materialize transposed operands so the built-in takes its fast (XNNPACK) path.
  const untransposed = (args: KernelArgs, run: KernelFunc): TensorInfo => {
    const {backend} = args;
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!attrs.transposeA && !attrs.transposeB) return run(args);
    const temporaries: TensorInfo[] = [];
    const flip = (x: TensorInfo): TensorInfo => {
      const rank = x.shape.length;
      const shape = [...x.shape.slice(0, -2), x.shape[rank - 1], x.shape[rank - 2]];
      const out = backend.makeOutput(shape, "float32");
      transposeLast2(heapView(backend, x), heapView(backend, out), size(x.shape.slice(0, -2)), x.shape[rank - 2], x.shape[rank - 1]);
      temporaries.push(out);
      return out;
    };
    const inputs = {...args.inputs};
    if (attrs.transposeA) inputs.a = flip(inputs.a as TensorInfo);
    if (attrs.transposeB) inputs.b = flip(inputs.b as TensorInfo);
    const out = run({...args, inputs, attrs: {...args.attrs, transposeA: false, transposeB: false}});
    for (const t of temporaries) backend.disposeData(t.dataId);
    return out;
  };

  const batchMatMul: KernelFunc = (args) => nativeMatMul(args, false) ?? untransposed(args, matMulBuiltin);
  // The built-in _FusedMatMul adds the bias wrongly when there is more than one matrix in the batch:
  // multiply with BatchMatMul, then add bias and ReLU here.
  const batchedFusedMatMul = (args: KernelArgs): TensorInfo => {
    const {a, b, bias, preluActivationWeights} = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as FusedMatMulAttrs;
    const activation = attrs.activation ?? "linear";
    const batches = Math.max(size(a!.shape.slice(0, -2)), size(b!.shape.slice(0, -2)));
    const n = attrs.transposeB ? b!.shape[b!.shape.length - 2] : b!.shape[b!.shape.length - 1];
    const simple = preluActivationWeights == null && ["linear", "relu"].includes(activation) && (bias == null || (bias.shape.length === 1 && bias.shape[0] === n));
    if (batches === 1 || !simple) return untransposed(args, fusedMatMulBuiltin);
    const out = untransposed({...args, inputs: {a: a!, b: b!}}, matMulBuiltin);
    const values = heapView(args.backend, out);
    const biasValues = bias == null ? null : heapView(args.backend, bias);
    for (let i = 0; i < values.length; i++) {
      let v = biasValues == null ? values[i] : values[i] + biasValues[i % n];
      if (activation === "relu" && v < 0) v = 0;
      values[i] = v;
    }
    return out;
  };

  const fusedMatMul: KernelFunc = (args) => nativeMatMul(args, true) ?? batchedFusedMatMul(args);

  const reluGrad: KernelFunc = ({inputs, backend}) => {
    const {dy, x} = inputs as {dy: TensorInfo; x: TensorInfo};
    const dx = backend.makeOutput(x.shape, "float32");
    if (addon != null) {
      addon.reluGrad(heapBuffer(backend), Float64Array.from([heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, dx), size(x.shape)]));
    } else {
      const dyv = heapView(backend, dy);
      const xv = heapView(backend, x);
      const dxv = heapView(backend, dx);
      for (let i = 0; i < xv.length; i++) dxv[i] = xv[i] > 0 ? dyv[i] : 0;
    }
    return dx;
  };

  const kernels: Record<string, KernelFunc> = {
    Identity: identity,
    Cast: cast,
    Sum: sum,
    BatchMatMul: batchMatMul,
    _FusedMatMul: fusedMatMul
  };
  for (const [name, kernelFunc] of Object.entries(kernels)) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({kernelName: name, backendName: BACKEND, kernelFunc: kernelFunc as unknown as tf.KernelFunc});
  }
  tf.registerKernel({kernelName: RELU_GRAD, backendName: BACKEND, kernelFunc: reluGrad as unknown as tf.KernelFunc});
  // ReLU's gradient in one pass on wasm; other backends keep tfjs's formula (dy * step(x)).
  tf.registerGradient({
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const gradient = dy as tf.Tensor;
      return {
        x: () =>
          tf.getBackend() === BACKEND && x.dtype === "float32"
            ? (tf.engine().runKernel(RELU_GRAD, {dy: gradient, x}) as tf.Tensor)
            : tf.mul(gradient, tf.cast(tf.step(x), "float32"))
      };
    }
  });
}
