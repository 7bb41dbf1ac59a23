// How the grey levels of a split's pixels are distributed in each class: one line per class, as the
// share of pixels per grey-level bin, so classes of very different sizes compare directly.
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import {emotionColorScale} from "../lib/palette.js";

export interface HistogramRow {
  emotion: string;
  /** Lower grey level of the bin. */
  level: number;
  /** Share of the class's pixels in the bin, in [0, 1]. */
  share: number;
}

export function IntensityHistogram(
  rows: HistogramRow[],
  {width = 900, height = 300, binWidth = 4, highlight}: {width?: number; height?: number; binWidth?: number; highlight?: string} = {}
) {
  const emphasis = (d: HistogramRow) => (highlight === undefined || d.emotion === highlight ? 1 : 0.3);
  return plot({
    width,
    height,
    marginLeft: 48,
    x: {domain: [0, 256], label: "grey level (0 = black, 255 = white) →", ticks: [0, 32, 64, 96, 128, 160, 192, 224, 255]},
    y: {label: "↑ share of pixels (%)", percent: true, grid: true},
    color: {...emotionColorScale(), legend: true},
    marks: [
      Plot.ruleY([0]),
      Plot.lineY(rows, {x: (d: HistogramRow) => d.level + binWidth / 2, y: "share", stroke: "emotion", strokeOpacity: emphasis, strokeWidth: (d: HistogramRow) => (d.emotion === highlight ? 3 : 1.5), curve: "monotone-x", tip: true, title: (d: HistogramRow) => `${d.emotion}\ngrey ${d.level}–${d.level + binWidth - 1}: ${(d.share * 100).toFixed(2)}% of pixels`})
    ]
  });
}
