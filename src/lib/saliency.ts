// Why the model chose a class: Grad-CAM (Selvaraju et al., 2017) on the last convolutional feature map,
// or plain input-gradient saliency when the model's head is not a simple chain after that map.
// Pure tfjs; `tf` is passed in so the browser's vendored tfjs and Node's tfjs both work.

import type * as TF from "@tensorflow/tfjs";

type Tf = typeof TF;

export interface Saliency {
  /** size x size values in [0, 1], row-major, 1 where the evidence for the class is strongest. */
  map: Float32Array;
  size: number;
  method: "grad-cam" | "gradient";
  /** The layer whose activations Grad-CAM weighed, when method is "grad-cam". */
  layer?: string;
}

interface CamPlan {
  features: TF.LayersModel;
  head: TF.layers.Layer[];
  layer: string;
}

const plans = new WeakMap<TF.LayersModel, CamPlan | null>();

function inboundLayers(layer: TF.layers.Layer): TF.layers.Layer[] {
  // tfjs keeps the graph on each layer's inbound nodes; not part of the typed public API.
  const nodes = (layer as unknown as {inboundNodes: {inboundLayers: TF.layers.Layer[]}[]}).inboundNodes;
  return nodes.length === 1 ? nodes[0].inboundLayers : [];
}

/** The last 4-D layer after which the model is a plain chain of single-input layers, if there is one. */
function camPlan(tf: Tf, model: TF.LayersModel): CamPlan | null {
  if (plans.has(model)) return plans.get(model)!;
  const layers = model.layers;
  let plan: CamPlan | null = null;
  for (let i = layers.length - 2; i >= 0; i--) {
    const chain = layers.slice(i + 1);
    const isChain = chain.every((layer, k) => {
      const inputs = inboundLayers(layer);
      return inputs.length === 1 && inputs[0] === layers[i + k];
    });
    if (!isChain) break;
    const shape = layers[i].outputShape as number[];
    if (shape.length === 4 && shape[1]! > 1 && shape[2]! > 1) {
      plan = {features: tf.model({inputs: model.inputs, outputs: layers[i].output as TF.SymbolicTensor}), head: chain, layer: layers[i].name};
      break;
    }
  }
  plans.set(model, plan);
  return plan;
}

/** The class score Grad-CAM differentiates: the logit, so a confident softmax does not flatten the gradient. */
function classScore(tf: Tf, head: TF.layers.Layer[], features: TF.Tensor, classIndex: number): TF.Scalar {
  let x = features;
  head.forEach((layer, k) => {
    const config = layer.getConfig() as {activation?: string};
    if (k === head.length - 1 && layer.getClassName() === "Dense" && config.activation === "softmax") {
      const [kernel, bias] = layer.getWeights();
      x = bias ? tf.add(tf.matMul(x as TF.Tensor2D, kernel as TF.Tensor2D), bias) : tf.matMul(x as TF.Tensor2D, kernel as TF.Tensor2D);
    } else {
      x = layer.apply(x, {training: false}) as TF.Tensor;
    }
  });
  return pick(tf, x, classIndex);
}

/** Column `classIndex` of a [1, classes] tensor, summed. A one-hot product rather than tf.gather, whose
 * gradient (UnsortedSegmentSum) the wasm backend lacks. */
function pick(tf: Tf, x: TF.Tensor, classIndex: number): TF.Scalar {
  const classes = x.shape[x.shape.length - 1]!;
  return tf.sum(tf.mul(x, tf.oneHot([classIndex], classes).toFloat())) as TF.Scalar;
}

function normalise(tf: Tf, map: TF.Tensor): TF.Tensor {
  return tf.div(map, tf.maximum(tf.max(map), 1e-12));
}

/**
 * The evidence map for `classIndex` on one face (`input`: the model's 48x48x1 input as floats),
 * upsampled to the input's size. Grad-CAM when the model allows it, input-gradient saliency otherwise.
 */
export function explainClass(tf: Tf, model: TF.LayersModel, input: Float32Array, classIndex: number): Saliency {
  const [, height, width, channels] = model.inputs[0].shape as number[];
  if (input.length !== height * width * channels) {
    throw new Error(`explainClass: input has ${input.length} values, expected ${height}x${width}x${channels}`);
  }
  const plan = camPlan(tf, model);
  const map = tf.tidy(() => {
    const x = tf.tensor4d(input, [1, height, width, channels]);
    if (plan) {
      const activations = plan.features.predict(x) as TF.Tensor4D;
      const gradients = tf.grad((a: TF.Tensor) => classScore(tf, plan.head, a, classIndex))(activations);
      const weights = tf.mean(gradients, [1, 2], true);
      const cam = tf.relu(tf.sum(tf.mul(activations, weights), 3, true)) as TF.Tensor4D;
      return normalise(tf, tf.image.resizeBilinear(cam, [height, width], true));
    }
    const score = (t: TF.Tensor) => pick(tf, model.apply(t, {training: false}) as TF.Tensor, classIndex);
    return normalise(tf, tf.max(tf.abs(tf.grad(score)(x)), 3));
  });
  const values = map.dataSync() as Float32Array;
  map.dispose();
  return plan ? {map: values, size: height, method: "grad-cam", layer: plan.layer} : {map: values, size: height, method: "gradient"};
}
