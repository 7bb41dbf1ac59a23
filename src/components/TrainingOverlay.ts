// Several training runs on one chart: a metric per epoch, or against training wall time (the fair axis
// when the models cost differently per epoch), one colour per model, each run's selected epoch dotted.
import * as Plot from "@observablehq/plot";
import {color as parseColor} from "d3";
import {plot} from "./plot.js";
import type {EpochRecord} from "../lib/model-folder.js";
import {epochTicks} from "./TrainingCurves.js";

export interface OverlayRun {
  name: string;
  epochs: EpochRecord[];
  selected: number | null;
}

export type OverlayMetric = "publicTestAccuracy" | "trainAccuracy" | "publicTestLoss" | "trainLoss";

export const OVERLAY_METRICS: Record<OverlayMetric, string> = {
  publicTestAccuracy: "PublicTest accuracy",
  trainAccuracy: "training accuracy",
  publicTestLoss: "PublicTest loss",
  trainLoss: "training loss"
};

// Plot's "observable10" palette, in its order.
const OBSERVABLE10 = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0"];

/** n distinct colours: Plot's ten, then the same ten darker (so a report with more than ten runs repeats none). */
export function runColors(n: number): string[] {
  return Array.from({length: n}, (_, i) => {
    const base = OBSERVABLE10[i % OBSERVABLE10.length];
    const round = Math.floor(i / OBSERVABLE10.length);
    return round === 0 ? base : parseColor(base)!.darker(1.2 * round).formatHex();
  });
}

export function TrainingOverlay(runs: OverlayRun[], {metric = "publicTestAccuracy", x = "epoch", width = 900, height = 300, allNames = runs.map((run) => run.name)}: {metric?: OverlayMetric; x?: "epoch" | "hours"; width?: number; height?: number; allNames?: string[]} = {}) {
  // Each run keeps its colour from allNames (every run the page could show) when only some are drawn.
  const palette = runColors(allNames.length);
  const colorOf = (name: string) => palette[allNames.indexOf(name)] ?? palette[0];
  const accuracy = metric.endsWith("Accuracy");
  const rows = runs.flatMap((run) => {
    let seconds = 0;
    return run.epochs.map((e) => {
      seconds += e.seconds;
      return {model: run.name, epoch: e.epoch, hours: seconds / 3600, value: e[metric], selected: e.epoch === run.selected};
    });
  });
  const format = (v: number) => (accuracy ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  return plot({
    width,
    height,
    marginLeft: 48,
    x: x === "epoch" ? {label: "epoch", ...epochTicks(Math.max(...runs.map((run) => run.epochs.length)))} : {label: "training wall time (hours)", nice: true},
    y: {label: OVERLAY_METRICS[metric] + (accuracy ? " (%)" : ""), percent: accuracy, grid: true, nice: true},
    color: {legend: true, domain: runs.map((run) => run.name), range: runs.map((run) => colorOf(run.name))},
    marks: [
      Plot.line(rows, {x, y: "value", stroke: "model", strokeWidth: 2}),
      Plot.dot(rows.filter((row) => row.selected), {x, y: "value", fill: "model", r: 5, stroke: "var(--theme-background)", symbol: "diamond"}),
      Plot.tip(rows, Plot.pointer({x, y: "value", stroke: "model", title: (d: {model: string; epoch: number; hours: number; value: number}) => `${d.model}, epoch ${d.epoch} (${(d.hours * 60).toFixed(0)} min)\n${OVERLAY_METRICS[metric]}: ${format(d.value)}`}))
    ]
  });
}
