// The engine's step-level optimizations, each of which can be switched off to measure what it buys alone
// (npm run bench -- train --configs native,native/off=bn-relu) or to rule it out when chasing a difference.
// Off only through FER_ENGINE_OFF, a comma-separated list of the names below (or "all"); read once per thread.

export const ENGINE_FEATURES = {
  /** BatchNorm followed by ReLU runs as one kernel each way (no ReLU pass forward, no ReLU-gradient pass back). */
  "bn-relu": "BatchNorm + ReLU fused into one kernel each way",
  /** The moving mean and variance update inside the BatchNorm kernel instead of six small tensor ops per layer. */
  "bn-moving": "BatchNorm's moving statistics updated inside its kernel",
  /**
   * Convolution layers run as one engine op whose gradient computes only the inputs the tape needs: no input
   * gradient for the first convolution (tfjs's fused conv2d computes every input's in one custom gradient).
   */
  "conv-grads": "convolution gradients computed only for the inputs that need them",
  /**
   * oneDNN's Winograd convolutions (all three passes) for the 3x3 shapes where they pay (the addon's
   * winograd_pays: a fixed shape rule, so runs stay deterministic); where oneDNN has none, the direct ones.
   */
  winograd: "Winograd convolutions for the 3x3 layers where they pay",
  /**
   * A Winograd layer's blocked copies reused within a step: the forward input's for the filter gradient, and
   * the output gradient's reordered once for both gradients (keep ids from conv-layer.ts, kept in the addon).
   */
  "keep-blocked": "a Winograd layer's blocked input and output gradient reordered once per step",
  /**
   * A convolution with a ReLU inside it whose output goes to a BatchNorm (seed-vgg's order, Keras's
   * Conv2D(activation="relu") then BatchNormalization()): the BatchNorm's gradient kernel applies the ReLU's
   * mask to the gradient it writes, instead of a pass of its own over the convolution's output.
   */
  "relu-bn": "a ReLU convolution's gradient mask applied inside the next BatchNorm's gradient kernel",
  /** Dropout in training as one kernel (mask from a counter-based hash) instead of JavaScript draws and four ops. */
  dropout: "dropout in training as one kernel each way",
  /**
   * BatchNorm at inference (prediction, evaluation, teachers) as one multiply-add per element with the per-channel
   * factors computed once, and the ReLU after it folded in, instead of tfjs's square root and division per element
   * and a ReLU pass; results agree with tfjs's to about 1e-6 relative.
   */
  "bn-inference": "BatchNorm (+ ReLU) at inference as one multiply-add per element"
} as const;

export type EngineFeature = keyof typeof ENGINE_FEATURES;

/** The features FER_ENGINE_OFF turns off; throws on a name it does not know, so a typo cannot pass silently. */
export function parseEngineOff(value: string | undefined): Set<EngineFeature> {
  const names = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const known = Object.keys(ENGINE_FEATURES) as EngineFeature[];
  if (names.includes("all")) return new Set(known);
  for (const name of names) {
    if (!known.includes(name as EngineFeature)) {
      throw new Error(`FER_ENGINE_OFF names "${name}", which is not an engine feature (${known.join(", ")}, or all)`);
    }
  }
  return new Set(names as EngineFeature[]);
}

let off: Set<EngineFeature> | null = null;

/** Whether a feature is on in this thread (all are, unless FER_ENGINE_OFF names them). */
export function engineFeatureOn(feature: EngineFeature): boolean {
  off ??= parseEngineOff(process.env.FER_ENGINE_OFF);
  return !off.has(feature);
}
