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
      <td><strong>${m.name}</strong>${m.isDefault ? html` <span class="muted">(default)</span>` : ""}${m.members ? html`<br><small class="muted" style="white-space: normal;">the mean of ${m.members.join(", ")}</small>` : ""}</td>
      <td>${m.privateTest ? formatPercent(m.privateTest.accuracy) : html`<span class="muted">not evaluated</span>`}</td>
      <td>${m.privateTestFlip ? formatPercent(m.privateTestFlip.accuracy) : dash}</td>
      <td>${m.privateTest ? m.privateTest.macroF1.toFixed(3) : dash}</td>
      <td>${formatCount(m.params)}</td>
      <td>${formatBytes(m.weightBytes)}</td>
      <td title=${m.latencyBackend ? `median of 25 runs, tfjs ${m.latencyBackend} in Node on the build machine` : ""}>${m.latencyMs != null ? `${m.latencyMs.toFixed(1)} ms` : dash}</td>
      <td>${m.secondsTrained ? html`${formatDuration(m.secondsTrained)}<br><small class="muted">${m.members ? `its ${m.members.length} members'` : `${m.epochsRun} epochs`}</small>` : dash}</td>
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
  /** An ensemble of ours (its sizes are its members' sums). */
  ensemble: boolean;
  /** Forward MFLOPs per face: ours only (the papers do not give them). */
  mflops: number | null;
  /** Weight bytes: ours as shipped; published ones as float32 from their parameter count. */
  weightBytes: number | null;
}

/** What the frontier puts along x: parameters, forward MFLOPs per face, or bytes of weights. */
export type FrontierMeasure = "params" | "mflops" | "weights";

export const FRONTIER_MEASURES: Record<FrontierMeasure, {label: string; value: (p: FrontierPoint) => number | null; format: (v: number) => string; unit: number}> = {
  params: {label: "parameters", value: (p) => p.params, format: (v) => formatCount(v), unit: 1},
  mflops: {label: "MFLOPs per face", value: (p) => p.mflops, format: (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1)), unit: 1},
  // Ticks at 1, 2 and 5 of each power of ten in KB, and in MB from 1 MB on (as formatBytes writes them).
  weights: {label: "weights", value: (p) => p.weightBytes, format: (v) => formatBytes(v).replace(/\.0+ MB$/, " MB"), unit: 1024}
};

/**
 * The points of the frontier: our evaluated models (ensembles included), and the published ones whose
 * parameter count is known.
 */
export function frontierPoints(models: ModelSummaryRow[], published: readonly PublishedResult[] = PUBLISHED_RESULTS): FrontierPoint[] {
  return [
    ...models.filter((m) => m.privateTest && m.params > 0).map((m) => ({
      name: m.name, params: m.params, accuracy: m.privateTest!.accuracy, flipAccuracy: m.privateTestFlip?.accuracy ?? null,
      ours: true, ensemble: Boolean(m.members), mflops: m.flops / 1e6, weightBytes: m.weightBytes
    })),
    ...published.filter((p) => p.params).map((p) => ({
      name: p.name, params: p.params!, accuracy: p.accuracy, flipAccuracy: null, ours: false, ensemble: false, mflops: null, weightBytes: 4 * p.params!
    }))
  ];
}

/**
 * 1, 2 and 5 times each power of ten between lo and hi, counted in `unit`s (1024 for bytes: 100 KB, 200 KB,
 * 500 KB, then 1 MB, 2 MB, 5 MB, ...), for log-scale ticks.
 */
export function logTicks(lo: number, hi: number, unit = 1): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo / unit)); decade * unit <= hi; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const count = decade * step;
      // In bytes, 1000 KB and up is counted in MB: 1024 KB.
      const value = unit > 1 && count >= 1000 ? (count / 1000) * unit * unit : count * unit;
      if (value >= lo && value <= hi) ticks.push(value);
    }
  }
  return ticks;
}

/**
 * Where the names of our models go on the frontier: in order of size (ties: the more accurate first), each
 * left (side 0) or right (side 1) of its dot, a name taking `near` (in log10 units of the measure) on its
 * side. A name sits at its accuracy unless it would cover a name already placed (their extents overlap in x
 * and they are closer than `gap` in accuracy, 0-1): then it moves below that one. Each name takes the side
 * where it moves least; on a tie, the side after its predecessor's (so neighbours alternate). Models of one
 * size (a network and its distilled students) and close sizes (whose names reach across) stay readable.
 */
export function frontierLabels<T extends {x: number; accuracy: number}>(ours: T[], {gap, near}: {gap: number; near: number}): (T & {labelY: number; side: 0 | 1})[] {
  const placed: (T & {labelY: number; side: 0 | 1})[] = [];
  const extent = (x: number, side: 0 | 1) => (side === 0 ? [x - near, x] : [x, x + near]);
  const place = (p: T, side: 0 | 1) => {
    const [lo, hi] = extent(p.x, side);
    let labelY = p.accuracy;
    for (let moved = true; moved; ) {
      moved = false;
      for (const q of placed) {
        const [qlo, qhi] = extent(q.x, q.side);
        if (lo < qhi - 1e-12 && qlo < hi - 1e-12 && Math.abs(q.labelY - labelY) < gap - 1e-12) {
          labelY = q.labelY - gap;
          moved = true;
        }
      }
    }
    return labelY;
  };
  [...ours].sort((a, b) => a.x - b.x || b.accuracy - a.accuracy).forEach((p) => {
    const preferred = (placed.length === 0 ? 0 : 1 - placed[placed.length - 1].side) as 0 | 1;
    const other = (1 - preferred) as 0 | 1;
    const [first, second] = [place(p, preferred), place(p, other)];
    const side = p.accuracy - second < p.accuracy - first - 1e-12 ? other : preferred;
    placed.push({...p, labelY: side === preferred ? first : second, side});
  });
  return placed;
}

/**
 * The frontier's accuracy axis, in percent: from the multiple of 5 at least one point below the lowest point
 * (its ring included) to the one at least one point above the highest, so the models, which sit within a few
 * points of each other, spread over the chart's height instead of its top fifth.
 */
export function accuracyDomain(accuracies: number[]): [number, number] {
  const percents = accuracies.map((a) => a * 100);
  return [5 * Math.floor((Math.min(...percents) - 1) / 5), 5 * Math.ceil((Math.max(...percents) + 1) / 5)];
}

/**
 * Accuracy against size, on a log scale of the chosen measure (parameters, MFLOPs per face or bytes of
 * weights): our models (solid; a ring and a line up to it for flip test-time averaging; ensembles as
 * squares) and the published small models (hollow, where the measure is known for them), so the reader
 * sees who buys accuracy with size. Labels are placed for the report's models (ours close together,
 * published ones below): a model far from these may need its own placement.
 */
export function ModelFrontier(
  models: ModelSummaryRow[],
  {published = PUBLISHED_RESULTS, width = 640, measure = "params"}: {published?: readonly PublishedResult[]; width?: number; measure?: FrontierMeasure} = {}
) {
  const {label, value, format, unit} = FRONTIER_MEASURES[measure];
  // Plotted on log10 of the measure with a linear scale: a log scale's tick options only choose which of
  // its own ticks get a label (observablehq/plot#2077), and these ticks should all be labelled.
  const points = frontierPoints(models, published).filter((p) => value(p) !== null).map((p) => ({...p, x: Math.log10(value(p)!)}));
  type Point = (typeof points)[number];
  const flips = points.filter((p) => p.flipAccuracy !== null);
  const ours = points.filter((p) => p.ours);
  const xs = points.map((p) => p.x);
  const margin = Math.log10(1.6);
  const domain = [Math.min(...xs) - margin, Math.max(...xs) + margin];
  const yDomain = accuracyDomain(points.flatMap((p) => (p.flipAccuracy === null ? [p.accuracy] : [p.accuracy, p.flipAccuracy])));
  // One line of 10 px type is 12 px of the plot's 270 px height (about 1.1 points of a 25-point axis); a name
  // is up to about 90 px wide, which in x is this much of the log scale.
  const labels = frontierLabels(ours, {gap: (12 / 270) * ((yDomain[1] - yDomain[0]) / 100), near: (90 * (domain[1] - domain[0])) / (width - 72)});
  const ticks = logTicks(10 ** domain[0], 10 ** domain[1], unit);
  const title = (p: Point) =>
    `${p.name}${p.ensemble ? " (ensemble)" : ""}: ${formatPercent(p.accuracy)} PrivateTest${p.flipAccuracy !== null ? `, ${formatPercent(p.flipAccuracy)} with flip` : ""}, ${formatCount(p.params)} parameters` +
    (p.mflops !== null ? `, ${p.mflops.toFixed(0)} MFLOPs per face` : "") +
    (p.weightBytes !== null ? `, ${formatBytes(p.weightBytes)} of weights${p.ours ? "" : " (float32, from its parameter count)"}` : "");
  return plot({
    width,
    height: 320,
    marginLeft: 48,
    marginRight: 24,
    x: {domain, label: `${label} (log scale)`, grid: true, ticks: ticks.map(Math.log10), tickFormat: (v: number) => format(ticks.find((t) => Math.abs(Math.log10(t) - v) < 1e-9) ?? 10 ** v)},
    y: {label: "PrivateTest accuracy (%)", percent: true, grid: true, domain: yDomain},
    marks: [
      Plot.ruleX(flips, {x: "x", y1: "accuracy", y2: "flipAccuracy", stroke: "var(--theme-foreground-focus)"}),
      Plot.dot(flips, {x: "x", y: "flipAccuracy", r: 4, stroke: "var(--theme-foreground-focus)", fill: "var(--theme-background)", title}),
      Plot.dot(points, {
        x: "x", y: "accuracy", r: 5, symbol: (p: Point) => (p.ensemble ? "square" : "circle"),
        fill: (p: Point) => (p.ours ? "var(--theme-foreground-focus)" : "var(--theme-background)"), stroke: "var(--theme-foreground-focus)", title
      }),
      // Names: ours above the dot, alternately left and right in order of size (neighbours sit close together),
      // moved down where they would overlap; published ones below and to the right (left in the upper third).
      ...[0, 1].map((side) =>
        Plot.text(labels.filter((l) => l.side === side), {x: "x", y: "labelY", text: "name", fontSize: 10, fill: "currentColor", dy: -10, dx: side ? 6 : -6, textAnchor: side ? "start" : "end"})
      ),
      ...[false, true].map((large) =>
        Plot.text(points.filter((p) => !p.ours && ((p.x - domain[0]) / (domain[1] - domain[0]) > 0.66) === large), {
          // The name up to its parenthesis: "mini-Xception", "@vladmandic/human emotion".
          x: "x", y: "accuracy", text: (p: Point) => p.name.replace(/\s*\(.*$/, ""), fontSize: 10, fill: "currentColor",
          dy: 12, dx: large ? -6 : 6, textAnchor: large ? "end" : "start"
        })
      )
    ]
  });
}
