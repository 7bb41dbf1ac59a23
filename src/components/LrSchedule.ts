// The learning rate a run followed, per optimizer step (one-cycle, cosine) or per epoch (plateau,
// constant), on a log scale, with the selected epoch marked.
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import type {LearningRatePoint} from "../lib/model-pages.js";

export function LrSchedule(points: LearningRatePoint[], {selected = null, epochs, width = 480, height = 180}: {selected?: number | null; epochs: number; width?: number; height?: number}) {
  const positive = points.filter((p) => p.lr > 0);
  const [low, high] = [Math.min(...positive.map((p) => p.lr)), Math.max(...positive.map((p) => p.lr))];
  const logScale = high / low > 20;
  return plot({
    width,
    height,
    marginLeft: 56,
    marginRight: 16,
    x: {label: "epoch", domain: [0, Math.max(1, epochs)], ticks: Math.min(epochs, 10), tickFormat: "d"},
    y: {label: "learning rate", type: logScale ? "log" : "linear", grid: true, tickFormat: logScale ? "~e" : "~g", ticks: 4, zero: !logScale},
    marks: [
      selected != null ? Plot.ruleX([selected], {stroke: "var(--theme-foreground-faint)", strokeDasharray: "3 3"}) : null,
      Plot.line(positive, {x: "epoch", y: "lr", stroke: "var(--theme-foreground-focus)", strokeWidth: 2}),
      Plot.tip(positive, Plot.pointerX({x: "epoch", y: "lr", title: (p: LearningRatePoint) => `epoch ${p.epoch.toFixed(2)}\nlr ${p.lr.toExponential(2)}`}))
    ]
  });
}
