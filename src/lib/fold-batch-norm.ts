// Inference-time rewrite of a trained model: every Conv2D followed only by BatchNormalization (and then a
// ReLU) becomes one Conv2D with bias and a fused ReLU, the same function in a third of the ops. tfjs runs a
// conv with bias and ReLU as one fused kernel, so WebGL and CPU, where each op costs a pass over memory
// (or a shader), classify a face markedly faster. Pure tfjs; `tf` is passed in (browser or Node).

import type * as TF from "@tensorflow/tfjs";

type Tf = typeof TF;
type Layer = TF.layers.Layer;

interface Node {
  inboundLayers: Layer[];
  outboundLayer: Layer;
  inputTensors: TF.SymbolicTensor[];
  outputTensors: TF.SymbolicTensor[];
}

// tfjs keeps the graph on each layer's nodes; not part of its typed public API.
const inbound = (layer: Layer) => (layer as unknown as {inboundNodes: Node[]}).inboundNodes;
const outbound = (layer: Layer) => (layer as unknown as {outboundNodes: Node[]}).outboundNodes;

/** The one layer fed by `layer`'s output, or null when it feeds none or several (or is fed twice). */
function soleConsumer(layer: Layer): Layer | null {
  const nodes = outbound(layer);
  return nodes.length === 1 && inbound(layer).length === 1 ? nodes[0].outboundLayer : null;
}

function isRelu(layer: Layer | null): boolean {
  if (!layer) return false;
  const config = layer.getConfig() as {activation?: string; maxValue?: number | null};
  if (layer.getClassName() === "ReLU") return config.maxValue == null;
  return layer.getClassName() === "Activation" && config.activation === "relu";
}

/** A new, unconnected layer with `layer`'s class and configuration (weights are set once it is built). */
function copyLayer(tf: Tf, layer: Layer): Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) throw new Error(`foldBatchNorm: cannot copy layer ${layer.name} of unknown class ${layer.getClassName()}`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, layer.getConfig()) as Layer;
}

/** The model with Conv2D -> BatchNormalization (-> ReLU) chains folded; `model` itself when there are none. */
export function foldBatchNorm(tf: Tf, model: TF.LayersModel): TF.LayersModel {
  const foldable = model.layers.some((layer) => layer.getClassName() === "Conv2D" && soleConsumer(layer)?.getClassName() === "BatchNormalization");
  if (!foldable) return model;
  // Old symbolic tensors (by id) to their counterparts in the folded graph.
  const mapped = new Map<number, TF.SymbolicTensor>();
  const inputs = model.inputs.map((input) => {
    const copy = tf.input({shape: input.shape.slice(1) as number[], dtype: input.dtype, name: input.name.replace(/:\d+$/, "")});
    mapped.set(input.id, copy);
    return copy;
  });
  const skipped = new Set<Layer>();
  // Weights are set once the new layers are built; folded ones are new tensors, disposed after copying.
  const pending: {layer: TF.layers.Layer; weights: TF.Tensor[]; owned: boolean}[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer" || skipped.has(layer)) continue;
    const nodes = inbound(layer);
    if (nodes.length !== 1) throw new Error(`foldBatchNorm: layer ${layer.name} is used ${nodes.length} times; shared layers are not supported`);
    const [node] = nodes;
    const args = node.inputTensors.map((t) => {
      const copy = mapped.get(t.id);
      if (!copy) throw new Error(`foldBatchNorm: layer ${layer.name} reads a tensor not computed yet (${t.name})`);
      return copy;
    });
    const batchNorm = layer.getClassName() === "Conv2D" ? soleConsumer(layer) : null;
    const bnConfig = batchNorm?.getConfig() as {axis?: number | number[]; center?: boolean; scale?: boolean; epsilon?: number} | undefined;
    const convConfig = layer.getConfig() as {activation?: string; dataFormat?: string};
    if (batchNorm && batchNorm.getClassName() === "BatchNormalization" && convConfig.activation === "linear" &&
        convConfig.dataFormat !== "channelsFirst" && (bnConfig?.axis === -1 || bnConfig?.axis === 3 || (Array.isArray(bnConfig?.axis) && bnConfig.axis[0] === -1))) {
      const relu = soleConsumer(batchNorm);
      const fuseRelu = isRelu(relu);
      const last = fuseRelu ? relu! : batchNorm;
      // y = gamma (conv(x) + b - mean) / sqrt(var + eps) + beta = conv'(x) + b', per output channel.
      const weights = tf.tidy(() => {
        const [kernel, bias] = layer.getWeights();
        const bnWeights = batchNorm.getWeights();
        const filters = kernel.shape[3]!;
        let k = 0;
        const gamma = bnConfig?.scale === false ? tf.ones([filters]) : bnWeights[k++];
        const beta = bnConfig?.center === false ? tf.zeros([filters]) : bnWeights[k++];
        const [mean, variance] = [bnWeights[k], bnWeights[k + 1]];
        const scale = tf.div(gamma, tf.sqrt(tf.add(variance, bnConfig?.epsilon ?? 1e-3)));
        return [tf.mul(kernel, scale), tf.add(tf.mul(tf.sub(bias ?? tf.zeros([filters]), mean), scale), beta)];
      });
      const conv = tf.layers.conv2d({
        ...(layer.getConfig() as object),
        name: layer.name,
        useBias: true,
        activation: fuseRelu ? "relu" : "linear"
      } as TF.serialization.ConfigDict as never);
      const output = conv.apply(args.length === 1 ? args[0] : args) as TF.SymbolicTensor;
      pending.push({layer: conv, weights, owned: true});
      mapped.set(inbound(last)[0].outputTensors[0].id, output);
      mapped.set(node.outputTensors[0].id, output);
      skipped.add(batchNorm);
      if (fuseRelu) skipped.add(relu!);
      continue;
    }
    // A fresh copy, not the layer itself: a layer shared by two models has two graph nodes, which would
    // hide the folded model's plain chain from Grad-CAM (src/lib/saliency.ts).
    const copy = copyLayer(tf, layer);
    const output = copy.apply(args.length === 1 ? args[0] : args) as TF.SymbolicTensor | TF.SymbolicTensor[];
    pending.push({layer: copy, weights: layer.getWeights(), owned: false});
    const outputs = Array.isArray(output) ? output : [output];
    node.outputTensors.forEach((t, i) => mapped.set(t.id, outputs[i]));
  }
  for (const {layer, weights, owned} of pending) {
    layer.setWeights(weights);
    if (owned) tf.dispose(weights);
  }
  const outputs = model.outputs.map((t) => {
    const copy = mapped.get(t.id);
    if (!copy) throw new Error(`foldBatchNorm: output ${t.name} was not rebuilt`);
    return copy;
  });
  return tf.model({inputs, outputs, name: `${model.name}_folded`});
}
