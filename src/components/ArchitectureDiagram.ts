// A diagram of a network drawn from its layer list (not a picture): layers that share a `blockN_` name
// prefix form one stage, every stage is a slab whose height follows its output's spatial size and whose
// width follows its channel count (log scale), in the colour of its main layer type, with what it is made
// of, its output shape and its parameters underneath. Inputs that skip a stage are drawn as arcs.
import {svg} from "htl";
import type {LayerSummary} from "../lib/models/summary.js";
import {formatCount} from "../lib/model-pages.js";
import {layerColor} from "./LayerTable.js";

const SHORT: Record<string, string> = {
  InputLayer: "input",
  Conv2D: "conv",
  SeparableConv2D: "sep-conv",
  DepthwiseConv2D: "dw-conv",
  BatchNormalization: "BN",
  ReLU: "ReLU",
  Activation: "act",
  MaxPooling2D: "max-pool",
  AveragePooling2D: "avg-pool",
  GlobalAveragePooling2D: "global avg-pool",
  Dropout: "dropout",
  Flatten: "flatten",
  Dense: "dense",
  Reshape: "reshape",
  Multiply: "multiply",
  Add: "add"
};

/** A squeeze-and-excitation gate's layers (src/lib/models/blocks.ts), drawn as one step. */
const SE_GATE = ["GlobalAveragePooling2D", "Dense", "Dense", "Reshape", "Multiply"];

const MAIN_TYPES = ["Conv2D", "SeparableConv2D", "DepthwiseConv2D", "Dense", "GlobalAveragePooling2D", "Flatten", "MaxPooling2D", "Dropout", "InputLayer"];

export interface Stage {
  name: string;
  layers: LayerSummary[];
}

/** Consecutive layers with the same `blockN_` prefix form a stage; any other layer is a stage of its own. */
export function stagesOf(layers: LayerSummary[]): Stage[] {
  const stages: Stage[] = [];
  for (const layer of layers) {
    const block = /^(block\d+)_/.exec(layer.name)?.[1];
    const last = stages[stages.length - 1];
    if (block && last?.name === block) last.layers.push(layer);
    else stages.push({name: block ?? layer.name, layers: [layer]});
  }
  return stages;
}

/** "2 × conv·BN·ReLU, SE gate, max-pool": the stage's layer types, with a repeated unit and an SE gate folded. */
export function describeStage(layers: Pick<LayerSummary, "type">[]): string {
  const names: string[] = [];
  for (let i = 0; i < layers.length; i++) {
    if (SE_GATE.every((type, k) => layers[i + k]?.type === type)) {
      names.push("SE gate");
      i += SE_GATE.length - 1;
    } else {
      names.push(SHORT[layers[i].type] ?? layers[i].type);
    }
  }
  for (const size of [3, 2]) {
    const unit = names.slice(0, size);
    if (!unit.length || unit[0] !== SHORT.Conv2D) continue;
    let repeats = 1;
    while (names.slice(repeats * size, (repeats + 1) * size).join() === unit.join()) repeats++;
    if (repeats > 1 || size === 3) {
      const rest = names.slice(repeats * size);
      return [`${repeats > 1 ? `${repeats} × ` : ""}${unit.join("·")}`, ...rest].join(", ");
    }
  }
  return names.join(", ");
}

export function ArchitectureDiagram(layers: LayerSummary[], {maxHeight = 150}: {maxHeight?: number} = {}) {
  const stages = stagesOf(layers);
  const inputSize = Math.max(...layers.map((l) => (l.outputShape.length === 3 ? l.outputShape[0] : 0)), 1);
  const geometry = stages.map((stage) => {
    const out = stage.layers[stage.layers.length - 1].outputShape;
    const channels = out[out.length - 1];
    const spatial = out.length === 3 ? out[0] : 0;
    const slabHeight = out.length === 3 ? 22 + (maxHeight - 22) * (spatial / inputSize) : Math.min(maxHeight * 0.8, 14 + 9 * Math.log2(channels + 1));
    const slabWidth = out.length === 3 ? 6 + 9 * Math.log2(channels + 1) : 12;
    const main = MAIN_TYPES.find((type) => stage.layers.some((l) => l.type === type)) ?? stage.layers[0].type;
    const params = stage.layers.reduce((sum, l) => sum + l.params, 0);
    return {stage, out, slabHeight, slabWidth, main, params, column: Math.max(100, slabWidth + 40)};
  });
  const gap = 22;
  const top = 34;
  const textTop = top + maxHeight + 18;
  let x = 8;
  const placed = geometry.map((g) => {
    const left = x;
    x += g.column + gap;
    return {...g, left, center: left + g.column / 2};
  });
  const width = x - gap + 8;
  const height = textTop + 58;
  const midline = top + maxHeight / 2;
  const position = new Map(placed.flatMap((p) => p.stage.layers.map((l) => [l.name, p] as const)));
  // Inputs from a stage other than the one just before: residual or skip connections.
  const skips = placed.flatMap((p, k) =>
    p.stage.layers.flatMap((l) => l.inputs.map((name) => position.get(name)).filter((from) => from && from !== p && from !== placed[k - 1]).map((from) => [from!, p] as const))
  );
  return svg`<svg class="architecture-diagram" data-testid="architecture-diagram" viewBox="0 0 ${width} ${height}" width=${width} height=${height} role="img"
      aria-label=${`network diagram: ${placed.map((p) => `${p.stage.name} ${p.out.join("×")}`).join(", ")}`} style="max-width: 100%; height: auto;">
    <defs><marker id="arch-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="currentColor"></path></marker></defs>
    ${placed.slice(1).map((p, k) => {
      const from = placed[k];
      return svg`<line x1=${from.center + from.slabWidth / 2 + 5} y1=${midline} x2=${p.center - p.slabWidth / 2 - 6} y2=${midline} stroke="currentColor" stroke-opacity="0.5" marker-end="url(#arch-arrow)"></line>`;
    })}
    ${skips.map(([from, to]) => svg`<path d=${`M${from.center} ${top - 4} C ${from.center} ${top - 30}, ${to.center} ${top - 30}, ${to.center} ${top - 4}`} fill="none" stroke="currentColor" stroke-opacity="0.5" marker-end="url(#arch-arrow)"></path>`)}
    ${placed.map((p) => {
      const slabTop = midline - p.slabHeight / 2;
      const color = layerColor(p.main);
      const depth = Math.min(8, p.slabWidth / 3);
      return svg`<g data-stage=${p.stage.name}>
        <title>${p.stage.layers.map((l) => `${l.name} (${l.type}) → ${l.outputShape.join("×")}, ${l.params.toLocaleString("en-US")} params`).join("\n")}</title>
        <rect x=${p.center - p.slabWidth / 2 + depth} y=${slabTop - depth} width=${p.slabWidth} height=${p.slabHeight} fill=${color} fill-opacity="0.35" rx="2"></rect>
        <rect x=${p.center - p.slabWidth / 2} y=${slabTop} width=${p.slabWidth} height=${p.slabHeight} fill=${color} fill-opacity="0.9" stroke="var(--theme-background)" rx="2"></rect>
        <text x=${p.center} y=${textTop} text-anchor="middle" font-weight="600" font-size="12" fill="currentColor">${p.stage.name}</text>
        <text x=${p.center} y=${textTop + 15} text-anchor="middle" font-size="11" fill="currentColor">${p.out.join("×")}</text>
        ${wrap(describeStage(p.stage.layers), 18).map((line, k) => svg`<text x=${p.center} y=${textTop + 30 + 12 * k} text-anchor="middle" font-size="10" fill="currentColor" fill-opacity="0.7">${line}</text>`)}
        <text x=${p.center} y=${top - 10} text-anchor="middle" font-size="10" fill="currentColor" fill-opacity="0.7">${p.params ? formatCount(p.params) : ""}</text>
      </g>`;
    })}
  </svg>`;
}

/** Splits a label at ", " so each line stays within about `width` characters (two lines at most). */
function wrap(text: string, width: number): string[] {
  const parts = text.split(", ");
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines[lines.length - 1];
    if (last && last.length + part.length + 2 <= width) lines[lines.length - 1] = `${last}, ${part}`;
    else lines.push(part);
  }
  return lines.length > 2 ? [lines[0], lines.slice(1).join(", ")] : lines;
}
