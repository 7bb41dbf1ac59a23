// Per-layer and total parameters and FLOPs of a tfjs layers model, for the model folder's metadata,
// the benchmarks and the architecture page. Reads only the model's structure (no tfjs import), so it
// works on a freshly built model and on one loaded from model.json, in Node or in the browser.
//
// FLOP convention: FLOPs = 2 x multiply-accumulates of Conv2D, DepthwiseConv2D, SeparableConv2D and Dense
// layers, per image, forward pass only; biases, batch normalization, activations, pooling, additions and
// dropout count 0 (they are memory-bound and small next to the convolutions). Training costs about 3x.

import type {LayersModel} from "@tensorflow/tfjs";

export interface LayerSummary {
  name: string;
  /** The tfjs class name: Conv2D, BatchNormalization, Dense, ... */
  type: string;
  /** Without the batch dimension, e.g. [48, 48, 32]. */
  outputShape: number[];
  params: number;
  trainableParams: number;
  flops: number;
  /** Names of the layers feeding this one (for drawing the graph). */
  inputs: string[];
}

export interface ModelSummary {
  layers: LayerSummary[];
  params: number;
  trainableParams: number;
  flops: number;
  /** Float32 weight bytes. */
  bytes: number;
}

type Shape = (number | null)[];

function firstShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as Shape);
}

function pair(value: unknown): [number, number] {
  return Array.isArray(value) ? [Number(value[0]), Number(value[1] ?? value[0])] : [Number(value), Number(value)];
}

function product(shape: Shape): number {
  return shape.reduce<number>((a, b) => a * (b ?? 1), 1);
}

/** Forward FLOPs per image of one layer, given its input and output shapes (batch dimension first). */
export function layerFlops(type: string, config: Record<string, unknown>, input: Shape, output: Shape): number {
  const inChannels = Number(input[input.length - 1]);
  switch (type) {
    case "Conv2D": {
      const [kh, kw] = pair(config.kernelSize);
      return 2 * product(output.slice(1)) * kh * kw * inChannels;
    }
    case "DepthwiseConv2D": {
      const [kh, kw] = pair(config.kernelSize);
      return 2 * product(output.slice(1)) * kh * kw;
    }
    case "SeparableConv2D": {
      const [kh, kw] = pair(config.kernelSize);
      const spatial = product(output.slice(1, -1));
      const multiplier = Number(config.depthMultiplier ?? 1);
      return 2 * spatial * inChannels * multiplier * (kh * kw + Number(config.filters));
    }
    case "Dense":
      return 2 * product(input.slice(1)) * Number(config.units);
    default:
      return 0;
  }
}

export function modelSummary(model: LayersModel): ModelSummary {
  const layers = model.layers.map((layer): LayerSummary => {
    const type = layer.getClassName();
    const output = firstShape(layer.outputShape as Shape | Shape[]);
    const inbound = layer.inboundNodes[0];
    const inputTensors = inbound ? inbound.inputTensors : [];
    const input = inputTensors.length ? (inputTensors[0].shape as Shape) : output;
    const params = layer.countParams();
    const trainableParams = layer.trainableWeights.reduce((sum, w) => sum + product(w.shape), 0);
    return {
      name: layer.name,
      type,
      outputShape: output.slice(1).map(Number),
      params,
      trainableParams,
      flops: layerFlops(type, layer.getConfig() as Record<string, unknown>, input, output),
      inputs: inbound ? inbound.inboundLayers.map((l) => l.name) : []
    };
  });
  const params = layers.reduce((sum, l) => sum + l.params, 0);
  return {
    layers,
    params,
    trainableParams: layers.reduce((sum, l) => sum + l.trainableParams, 0),
    flops: layers.reduce((sum, l) => sum + l.flops, 0),
    bytes: params * 4
  };
}
