// Faces per class in each split, as share-of-split bars side by side, so the imbalance (disgust at
// 1.5%) reads the same in every split. Each bar is labelled with its count and share.
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import {EMOTIONS, SPLITS} from "../lib/labels.js";
import {emotionColorScale} from "../lib/palette.js";

export interface ClassShareRow {
  split: string;
  emotion: string;
  count: number;
  /** count / faces in the split, in [0, 1]. */
  share: number;
}

export function ClassDistribution(rows: ClassShareRow[], {width = 900, height = 250}: {width?: number; height?: number} = {}) {
  // With percent: true the scale works in percent, so its domain is too.
  const maxShare = Math.max(...rows.map((d) => d.share), 0.01);
  const label = (d: ClassShareRow) => `${d.count.toLocaleString("en-US")} · ${(d.share * 100).toFixed(1)}%`;
  return plot({
    width,
    height,
    marginLeft: 64,
    marginRight: 12,
    marginTop: 28,
    fx: {domain: [...SPLITS], label: null, padding: 0.12, axis: "top"},
    x: {domain: [0, maxShare * 100 * 1.6], percent: true, label: "share of the split (%)", ticks: 3, grid: true},
    y: {domain: [...EMOTIONS], label: null},
    color: emotionColorScale(),
    marks: [
      Plot.barX(rows, {fx: "split", y: "emotion", x: "share", fill: "emotion", tip: {format: {fill: false, fx: true, x: (v: number) => `${(v * 100).toFixed(2)}%`}}}),
      Plot.text(rows, {fx: "split", y: "emotion", x: "share", text: label, dx: 4, textAnchor: "start", fill: "currentColor", fontSize: 11}),
      Plot.ruleX([0])
    ]
  });
}
