// Seven predicted probabilities as horizontal bars in the emotions' colours, the true class marked.
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import {EMOTIONS} from "../lib/labels.js";
import {emotionColorScale} from "../lib/palette.js";

export function ClassProbabilities(probabilities: ArrayLike<number>, {label, width = 320, height = 190}: {label?: string; width?: number; height?: number} = {}) {
  const rows = EMOTIONS.map((emotion, k) => ({emotion, p: probabilities[k], truth: emotion === label}));
  return plot({
    width,
    height,
    marginLeft: 64,
    marginRight: 48,
    // With percent: true the scale works in percent, so its domain does too.
    x: {domain: [0, 100], percent: true, label: "probability (%)", grid: true},
    y: {domain: [...EMOTIONS], label: null, tickFormat: (e: string) => (e === label ? `${e} ✓` : e)},
    color: emotionColorScale(),
    marks: [
      Plot.barX(rows, {y: "emotion", x: "p", fill: "emotion"}),
      Plot.barX(rows.filter((r) => r.truth), {y: "emotion", x: 1, fill: "none", stroke: "currentColor", strokeDasharray: "3 3"}),
      Plot.text(rows, {y: "emotion", x: "p", text: (r: {p: number}) => `${(r.p * 100).toFixed(1)}%`, dx: 4, textAnchor: "start", fill: "currentColor", fontSize: 11}),
      Plot.ruleX([0])
    ]
  });
}
