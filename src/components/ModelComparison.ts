// The index's headline comparison: each shipped model's PrivateTest accuracy (plain and with flip
// test-time augmentation), macro-F1, size, latency and training time, above the published small models
// it is measured against (whose numbers come from their papers, on their own protocols).
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import {html} from "htl";
import {formatBytes, formatCount, formatDuration, formatPercent, PUBLISHED_RESULTS, type ModelSummaryRow, type PublishedResult} from "../lib/model-pages.js";

const dash = "–";

/** A table: our models (measured when this site was built, or by npm run evaluate), then the published ones. */
export function ModelComparison(models: ModelSummaryRow[], {published = PUBLISHED_RESULTS}: {published?: readonly PublishedResult[]} = {}) {
  return html`<table class="counts model-comparison" data-testid="model-comparison" style="white-space: nowrap;">
    <thead><tr><th>model</th><th>PrivateTest accuracy</th><th>with flip TTA</th><th>macro-F1</th><th>parameters</th><th>weights</th><th>latency, 1 face</th><th>training</th></tr></thead>
    <tbody>${models.map((m) => html`<tr data-model=${m.name} class=${m.isDefault ? "ours default" : "ours"}>
      <td><strong>${m.name}</strong>${m.isDefault ? html` <span class="muted">(default)</span>` : ""}</td>
      <td>${m.privateTest ? formatPercent(m.privateTest.accuracy) : html`<span class="muted">not evaluated</span>`}</td>
      <td>${m.privateTestFlip ? formatPercent(m.privateTestFlip.accuracy) : dash}</td>
      <td>${m.privateTest ? m.privateTest.macroF1.toFixed(3) : dash}</td>
      <td>${formatCount(m.params)}</td>
      <td>${formatBytes(m.weightBytes)}</td>
      <td title=${m.latencyBackend ? `median of 25 runs, tfjs ${m.latencyBackend} in Node on the build machine` : ""}>${m.latencyMs != null ? `${m.latencyMs.toFixed(1)} ms` : dash}</td>
      <td>${m.secondsTrained ? `${formatDuration(m.secondsTrained)}, ${m.epochsRun} epochs` : dash}</td>
    </tr>`)}</tbody>
    <tbody class="published">${published.map((p) => html`<tr data-model=${p.name}>
      <td style="white-space: normal;">${p.name}<br><small class="muted">${p.note}</small></td>
      <td>${formatPercent(p.accuracy, p.accuracy * 1000 === Math.round(p.accuracy * 1000) ? 1 : 2)}</td>
      <td>${dash}</td><td>${dash}</td>
      <td>${p.params ? formatCount(p.params) : dash}</td>
      <td>${dash}</td><td>${dash}</td><td>${dash}</td>
    </tr>`)}</tbody>
  </table>`;
}

/** Accuracy bars: our models (solid, PrivateTest) against the published results (hollow). */
export function ModelComparisonChart(models: ModelSummaryRow[], {published = PUBLISHED_RESULTS, width = 640}: {published?: readonly PublishedResult[]; width?: number} = {}) {
  const rows = [
    ...models.filter((m) => m.privateTest).map((m) => ({name: m.name, accuracy: m.privateTest!.accuracy, ours: true})),
    ...published.map((p) => ({name: p.name, accuracy: p.accuracy, ours: false}))
  ];
  return plot({
    width,
    height: 36 + 26 * rows.length,
    // Wide enough for the longest published name, "@vladmandic/human emotion (mini-Xception)".
    marginLeft: 262,
    marginRight: 56,
    marginTop: 16,
    x: {domain: [0, 80], label: "PrivateTest accuracy (%)", percent: true, grid: true},
    y: {domain: rows.map((r) => r.name), label: null},
    marks: [
      Plot.barX(rows, {y: "name", x: "accuracy", fill: (r: {ours: boolean}) => (r.ours ? "var(--theme-foreground-focus)" : "none"), stroke: "var(--theme-foreground-focus)", inset: 3}),
      Plot.text(rows, {y: "name", x: "accuracy", text: (r: {accuracy: number}) => formatPercent(r.accuracy), dx: 4, textAnchor: "start", fill: "currentColor", fontSize: 11}),
      // Goodfellow et al. (2013) put human accuracy on FER2013 at about 65 ± 5%.
      Plot.ruleX([0.65], {stroke: "var(--theme-foreground-muted)", strokeDasharray: "4 3"}),
      Plot.text([0.65], {x: (d: number) => d, frameAnchor: "top", dy: -2, text: () => "human ≈ 65%", fill: "var(--theme-foreground-muted)", fontSize: 10, textAnchor: "start", dx: 3}),
      Plot.ruleX([0])
    ]
  });
}

export interface FrontierPoint {
  name: string;
  params: number;
  accuracy: number;
  /** With flip test-time averaging (ours, when evaluated with it). */
  flipAccuracy: number | null;
  ours: boolean;
  /** Ours only: forward MFLOPs per face and shipped weight bytes. */
  mflops: number | null;
  weightBytes: number | null;
}

/** The points of the size frontier: our evaluated models, and the published ones whose parameter count is known. */
export function frontierPoints(models: ModelSummaryRow[], published: readonly PublishedResult[] = PUBLISHED_RESULTS): FrontierPoint[] {
  return [
    ...models.filter((m) => m.privateTest && m.params > 0).map((m) => ({
      name: m.name, params: m.params, accuracy: m.privateTest!.accuracy, flipAccuracy: m.privateTestFlip?.accuracy ?? null,
      ours: true, mflops: m.flops / 1e6, weightBytes: m.weightBytes
    })),
    ...published.filter((p) => p.params).map((p) => ({name: p.name, params: p.params!, accuracy: p.accuracy, flipAccuracy: null, ours: false, mflops: null, weightBytes: null}))
  ];
}

/**
 * Accuracy against size (parameters, log scale): our models (solid; a ring and a line up to it for flip
 * test-time averaging) and the published small models (hollow), so the reader sees who buys accuracy with size.
 * Labels are placed for the report's models (ours close together, published ones below): a model far from
 * these may need its own placement.
 */
export function ModelFrontier(models: ModelSummaryRow[], {published = PUBLISHED_RESULTS, width = 640}: {published?: readonly PublishedResult[]; width?: number} = {}) {
  const points = frontierPoints(models, published);
  const flips = points.filter((p) => p.flipAccuracy !== null);
  const ours = points.filter((p) => p.ours).sort((a, b) => a.params - b.params);
  const title = (p: FrontierPoint) =>
    `${p.name}: ${formatPercent(p.accuracy)} PrivateTest${p.flipAccuracy !== null ? `, ${formatPercent(p.flipAccuracy)} with flip` : ""}, ${formatCount(p.params)} parameters` +
    (p.mflops !== null ? `, ${p.mflops.toFixed(0)} MFLOPs per face, ${formatBytes(p.weightBytes!)} of weights` : "");
  return plot({
    width,
    height: 320,
    marginLeft: 48,
    marginRight: 24,
    x: {type: "log", label: "parameters (log scale)", grid: true, domain: [4e4, 1.2e7], ticks: [5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7], tickFormat: (d: number) => formatCount(d)},
    y: {label: "PrivateTest accuracy (%)", percent: true, grid: true, domain: [50, 75]},
    marks: [
      Plot.ruleX(flips, {x: "params", y1: "accuracy", y2: "flipAccuracy", stroke: "var(--theme-foreground-focus)"}),
      Plot.dot(flips, {x: "params", y: "flipAccuracy", r: 4, stroke: "var(--theme-foreground-focus)", fill: "var(--theme-background)", title}),
      Plot.dot(points, {x: "params", y: "accuracy", r: 5, fill: (p: FrontierPoint) => (p.ours ? "var(--theme-foreground-focus)" : "var(--theme-background)"), stroke: "var(--theme-foreground-focus)", title}),
      // Names: ours above the dot, alternately left and right in order of size (neighbours sit close together);
      // published ones below and to the right (left past 2M parameters).
      ...[0, 1].map((side) =>
        Plot.text(ours.filter((_, k) => k % 2 === side), {x: "params", y: "accuracy", text: "name", fontSize: 10, fill: "currentColor", dy: -10, dx: side ? 6 : -6, textAnchor: side ? "start" : "end"})
      ),
      ...[false, true].map((large) =>
        Plot.text(points.filter((p) => !p.ours && p.params > 2e6 === large), {
          // The name up to its parenthesis: "mini-Xception", "@vladmandic/human emotion".
          x: "params", y: "accuracy", text: (p: FrontierPoint) => p.name.replace(/\s*\(.*$/, ""), fontSize: 10, fill: "currentColor",
          dy: 12, dx: large ? -6 : 6, textAnchor: large ? "end" : "start"
        })
      )
    ]
  });
}
