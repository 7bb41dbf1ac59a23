// Optimizers over one flat Float32Array of parameters: a fused loop per step (faster on wasm than tfjs's
// dozen tensor ops per variable), bit-identical wherever it runs, and a state that is plain arrays to save.

export interface OptimizerConfig {
  name: "adam" | "sgd";
  learningRate: number;
  /** Adam (defaults as in Keras/tfjs). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** SGD. */
  momentum?: number;
  nesterov?: boolean;
  /** Decoupled weight decay (AdamW / SGDW style): w -= learningRate * weightDecay * w. Default 0. */
  weightDecay?: number;
  /**
   * Which weights decay: "all" (absent: the same) every trainable weight, BatchNorm scales and shifts and
   * biases included; "kernels" the convolution and dense kernels only (weights of rank 2 or more), the usual
   * practice: decaying a BatchNorm scale shrinks what the next layer sees without regularizing anything, and
   * before the classifier it caps the logits. The trainer turns it into `decayed` ranges (kernelRanges).
   */
  weightDecayScope?: WeightDecayScope;
}

export const WEIGHT_DECAY_SCOPES = ["all", "kernels"] as const;
export type WeightDecayScope = (typeof WEIGHT_DECAY_SCOPES)[number];

/** A run of the flat parameter array, [start, end). */
export interface ParameterRange {
  start: number;
  end: number;
}

/**
 * The ranges of the flat parameter array (the weights' values laid end to end, in order) that hold kernels:
 * weights of rank 2 or more. Adjacent kernels merge into one range.
 */
export function kernelRanges(shapes: readonly (readonly number[])[]): ParameterRange[] {
  const ranges: ParameterRange[] = [];
  let offset = 0;
  for (const shape of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length >= 2) {
      const last = ranges[ranges.length - 1];
      if (last && last.end === offset) last.end = offset + size;
      else ranges.push({start: offset, end: offset + size});
    }
    offset += size;
  }
  return ranges;
}

export interface OptimizerState {
  /** Updates applied so far. */
  iterations: number;
  /** Adam: first and second moments; SGD: the momentum accumulator (one array). */
  slots: Float32Array[];
}

export interface FlatOptimizer {
  readonly config: OptimizerConfig;
  /** Updates params in place from the gradient of the loss. */
  apply(params: Float32Array, gradient: Float32Array, learningRate?: number): void;
  getState(): OptimizerState;
  /** Updates applied so far (cheap: getState copies the slots). */
  iterations(): number;
  setState(state: OptimizerState): void;
}

/** A native Adam step (the oneDNN addon's), same arithmetic in float32 lanes; optional. */
export type NativeAdam = (params: Float32Array, gradient: Float32Array, m: Float32Array, v: Float32Array, settings: Float64Array) => void;

/**
 * An optimizer over `parameterCount` flat parameters. With `decayed`, weight decay applies to those ranges only
 * (see OptimizerConfig.weightDecayScope); without, to every parameter.
 */
export function createFlatOptimizer(
  config: OptimizerConfig,
  parameterCount: number,
  {nativeAdam, decayed}: {nativeAdam?: NativeAdam; decayed?: readonly ParameterRange[]} = {}
): FlatOptimizer {
  if (!(config.learningRate > 0)) throw new Error(`optimizer learningRate must be > 0, got ${config.learningRate}`);
  const weightDecay = config.weightDecay ?? 0;
  if (decayed == null || weightDecay === 0) return plainOptimizer(config, parameterCount, nativeAdam);
  for (const {start, end} of decayed) {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= parameterCount)) {
      throw new Error(`decayed range [${start}, ${end}) is outside the ${parameterCount} parameters`);
    }
  }
  // The step without decay, after the decayed ranges shrink: w * (1 - lr * wd) - step, as in the fused loops.
  const inner = plainOptimizer({...config, weightDecay: 0}, parameterCount, nativeAdam);
  return {
    ...inner,
    config,
    apply(params, gradient, learningRate = config.learningRate) {
      const decay = 1 - learningRate * weightDecay;
      for (const {start, end} of decayed) {
        for (let i = start; i < end; i++) params[i] *= decay;
      }
      inner.apply(params, gradient, learningRate);
    }
  };
}

function plainOptimizer(config: OptimizerConfig, parameterCount: number, nativeAdam?: NativeAdam): FlatOptimizer {
  if (config.name === "adam") return adam(config, parameterCount, nativeAdam);
  if (config.name === "sgd") return sgd(config, parameterCount);
  throw new Error(`unknown optimizer: ${String((config as {name: unknown}).name)} (expected adam or sgd)`);
}

function checkState(state: OptimizerState, slotCount: number, parameterCount: number, name: string): void {
  if (state.slots.length !== slotCount || state.slots.some((slot) => slot.length !== parameterCount)) {
    const got = state.slots.map((slot) => slot.length).join(", ");
    throw new Error(`${name} state needs ${slotCount} arrays of ${parameterCount} values, got [${got}]`);
  }
}

function adam(config: OptimizerConfig, parameterCount: number, nativeAdam?: NativeAdam): FlatOptimizer {
  const beta1 = config.beta1 ?? 0.9;
  const beta2 = config.beta2 ?? 0.999;
  const epsilon = config.epsilon ?? 1e-7;
  const weightDecay = config.weightDecay ?? 0;
  let m = new Float32Array(parameterCount);
  let v = new Float32Array(parameterCount);
  let iterations = 0;
  return {
    config,
    apply(params, gradient, learningRate = config.learningRate) {
      iterations++;
      const correction1 = 1 - Math.pow(beta1, iterations);
      const correction2 = 1 - Math.pow(beta2, iterations);
      const decay = 1 - learningRate * weightDecay;
      if (nativeAdam != null) {
        nativeAdam(params, gradient, m, v, Float64Array.of(learningRate, beta1, beta2, epsilon, correction1, correction2, decay));
        return;
      }
      for (let i = 0; i < params.length; i++) {
        const g = gradient[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] = params[i] * decay - (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
      }
    },
    getState: () => ({iterations, slots: [m.slice(), v.slice()]}),
    iterations: () => iterations,
    setState(state) {
      checkState(state, 2, parameterCount, "adam");
      iterations = state.iterations;
      m = Float32Array.from(state.slots[0]);
      v = Float32Array.from(state.slots[1]);
    }
  };
}

function sgd(config: OptimizerConfig, parameterCount: number): FlatOptimizer {
  const momentum = config.momentum ?? 0;
  const nesterov = config.nesterov ?? false;
  const weightDecay = config.weightDecay ?? 0;
  let velocity = new Float32Array(parameterCount);
  let iterations = 0;
  return {
    config,
    apply(params, gradient, learningRate = config.learningRate) {
      iterations++;
      const decay = 1 - learningRate * weightDecay;
      for (let i = 0; i < params.length; i++) {
        const g = gradient[i];
        // tfjs/Keras convention: accumulation = momentum * accumulation + g; w -= lr * accumulation.
        const accumulation = momentum * velocity[i] + g;
        velocity[i] = accumulation;
        const step = nesterov ? g + momentum * accumulation : accumulation;
        params[i] = params[i] * decay - learningRate * step;
      }
    },
    getState: () => ({iterations, slots: [velocity.slice()]}),
    iterations: () => iterations,
    setState(state) {
      checkState(state, 1, parameterCount, "sgd");
      iterations = state.iterations;
      velocity = Float32Array.from(state.slots[0]);
    }
  };
}
