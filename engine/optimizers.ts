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

export function createFlatOptimizer(config: OptimizerConfig, parameterCount: number, {nativeAdam}: {nativeAdam?: NativeAdam} = {}): FlatOptimizer {
  if (!(config.learningRate > 0)) throw new Error(`optimizer learningRate must be > 0, got ${config.learningRate}`);
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
