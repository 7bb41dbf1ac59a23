// Every layer of a model with its type, output shape, parameters and FLOPs (with a bar for its share
// of the compute), grouped by block, and the totals with the weights' size in the footer.
import {html} from "htl";
import type {LayerSummary} from "../lib/models/summary.js";
import {formatBytes, formatCount, formatFlops} from "../lib/model-pages.js";

export const LAYER_COLORS: Record<string, string> = {
  InputLayer: "var(--theme-foreground-faint)",
  Conv2D: "#4e79a7",
  SeparableConv2D: "#4e79a7",
  DepthwiseConv2D: "#4e79a7",
  BatchNormalization: "#9c755f",
  ReLU: "#59a14f",
  Activation: "#59a14f",
  MaxPooling2D: "#f28e2b",
  AveragePooling2D: "#f28e2b",
  GlobalAveragePooling2D: "#f28e2b",
  Dropout: "#bab0ac",
  Flatten: "#bab0ac",
  Dense: "#e15759",
  Add: "#b07aa1"
};

export function layerColor(type: string): string {
  return LAYER_COLORS[type] ?? "var(--theme-foreground-muted)";
}

const shape = (s: number[]) => s.join(" × ");

export function LayerTable(layers: LayerSummary[], {params, flops, weightBytes, weightDtypes = ["float32"]}: {params: number; flops: number; weightBytes: number; weightDtypes?: string[]}) {
  const maxFlops = Math.max(1, ...layers.map((l) => l.flops));
  return html`<table class="counts layer-table" data-testid="layer-table">
    <thead><tr><th>#</th><th>layer</th><th>type</th><th>output shape</th><th>parameters</th><th>FLOPs</th><th class="share">share of FLOPs</th></tr></thead>
    <tbody>${layers.map((layer, k) => html`<tr data-layer=${layer.name} class=${/^block\d+_/.exec(layer.name)?.[0] ?? ""}>
      <td class="muted">${k + 1}</td>
      <td><code>${layer.name}</code></td>
      <td><span class="swatch" style=${{background: layerColor(layer.type)}}></span>${layer.type}</td>
      <td>${shape(layer.outputShape)}</td>
      <td title=${layer.params.toLocaleString("en-US")}>${layer.params ? layer.params.toLocaleString("en-US") : "–"}</td>
      <td title=${layer.flops.toLocaleString("en-US")}>${layer.flops ? formatFlops(layer.flops) : "–"}</td>
      <td class="share">${layer.flops ? html`<div class="flops-bar"><div style=${{width: `${((layer.flops / maxFlops) * 100).toFixed(1)}px`}}></div><span>${((layer.flops / flops) * 100).toFixed(1)}%</span></div>` : ""}</td>
    </tr>`)}</tbody>
    <tfoot><tr><th></th><th colspan="3">${layers.length} layers; weights ${formatBytes(weightBytes)} (${weightDtypes.join(", ")})</th><th>${params.toLocaleString("en-US")}<br><span class="muted">${formatCount(params)}</span></th><th>${formatFlops(flops)}</th><th class="share">per 48 × 48 face</th></tr></tfoot>
  </table>`;
}
