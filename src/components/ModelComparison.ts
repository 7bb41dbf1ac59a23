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
