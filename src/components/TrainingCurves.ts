// One model's loss or accuracy per epoch: on the (augmented) training faces against PublicTest, with
// the selected epoch (best PublicTest accuracy, whose weights were shipped) marked.
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import type {EpochRecord} from "../lib/model-folder.js";

export interface TrainingCurvesOptions {
  metric?: "loss" | "accuracy";
  /** The selected epoch's number. */
  selected?: number | null;
  width?: number;
  height?: number;
}

export const CURVE_COLORS = {Training: "var(--theme-foreground-muted)", PublicTest: "var(--theme-foreground-focus)"};

/** Whole-epoch ticks: every epoch for short runs, else about ten. */
export function epochTicks(count: number): {ticks: number | number[]; tickFormat: string} {
  return count <= 12 ? {ticks: Array.from({length: Math.max(2, count)}, (_, k) => k + 1), tickFormat: "d"} : {ticks: 10, tickFormat: "d"};
}

/** Labels near the left edge read rightwards, the others leftwards, so they stay inside the chart. */
function labelSide(selected: number | null, count: number): {textAnchor: "start" | "end"; dx: number} {
  return selected != null && selected - 1 < (count - 1) / 2 ? {textAnchor: "start", dx: 4} : {textAnchor: "end", dx: -4};
}

export function TrainingCurves(epochs: EpochRecord[], {metric = "accuracy", selected = null, width = 480, height = 240}: TrainingCurvesOptions = {}) {
  const accuracy = metric === "accuracy";
  const rows = epochs.flatMap((e) => [
    {epoch: e.epoch, set: "Training", value: accuracy ? e.trainAccuracy : e.trainLoss},
    {epoch: e.epoch, set: "PublicTest", value: accuracy ? e.publicTestAccuracy : e.publicTestLoss}
  ]);
  const chosen = rows.filter((row) => row.epoch === selected && row.set === "PublicTest");
  const format = (v: number) => (accuracy ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  return plot({
    width,
    height,
    marginLeft: 48,
    marginRight: 16,
    x: {label: "epoch", domain: [1, Math.max(2, epochs.length)], ...epochTicks(epochs.length)},
    y: {label: accuracy ? "accuracy (%)" : "cross-entropy", percent: accuracy, grid: true, nice: true, zero: accuracy ? false : undefined},
    color: {domain: Object.keys(CURVE_COLORS), range: Object.values(CURVE_COLORS), legend: true},
    marks: [
      selected != null ? Plot.ruleX([selected], {stroke: "var(--theme-foreground-faint)", strokeDasharray: "3 3"}) : null,
      Plot.line(rows, {x: "epoch", y: "value", stroke: "set", strokeWidth: 2, marker: epochs.length <= 20 ? "circle-stroke" : null}),
      Plot.dot(chosen, {x: "epoch", y: "value", r: 5, fill: "var(--theme-foreground-focus)", stroke: "var(--theme-background)"}),
      Plot.text(chosen, {x: "epoch", y: "value", text: (d: {value: number}) => `selected: epoch ${selected}, ${format(d.value)}`, dy: accuracy ? -12 : 12, ...labelSide(selected, epochs.length), fontSize: 11, fontWeight: "bold", fill: "currentColor", stroke: "var(--theme-background)", strokeWidth: 3, paintOrder: "stroke"}),
      Plot.tip(rows, Plot.pointerX({x: "epoch", y: "value", stroke: "set", title: (d: {epoch: number; set: string; value: number}) => `epoch ${d.epoch}\n${d.set}: ${format(d.value)}`}))
    ]
  });
}
