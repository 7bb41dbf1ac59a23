// A reliability diagram: per confidence bin, how often the model is right (bars) against how sure it
// says it is (the diagonal); the gap, weighted by the bin's share of faces, sums to the ECE. A strip
// below shows how many predictions fall in each bin.
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import type {ReliabilityBin} from "../lib/metrics.js";

export function ReliabilityDiagram(bins: ReliabilityBin[], {ece, width = 420, height = 340}: {ece: number; width?: number; height?: number}) {
  const filled = bins.filter((bin) => bin.count > 0);
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  return plot({
    width,
    height,
    marginLeft: 48,
    marginBottom: 40,
    // With percent: true a scale works in percent, so its domain does too.
    x: {domain: [0, 100], label: "confidence (top-class probability, %)", percent: true},
    y: {domain: [0, 100], label: "accuracy (%)", percent: true, grid: true},
    marks: [
      Plot.rectY(filled, {x1: "lower", x2: "upper", y: "accuracy", fill: "var(--theme-foreground-focus)", fillOpacity: 0.75, inset: 1,
        title: (bin: ReliabilityBin) => `confidence ${(bin.lower * 100).toFixed(0)}–${(bin.upper * 100).toFixed(0)}%\n${bin.count.toLocaleString("en-US")} faces (${((bin.count / total) * 100).toFixed(1)}%)\naccuracy ${(bin.accuracy * 100).toFixed(1)}%, mean confidence ${(bin.confidence * 100).toFixed(1)}%`}),
      // The gap between what the model claims and what it achieves, per bin.
      Plot.ruleX(filled, {x: (bin: ReliabilityBin) => (bin.lower + bin.upper) / 2, y1: "accuracy", y2: "confidence", stroke: "var(--theme-red)", strokeWidth: 2}),
      Plot.dot(filled, {x: (bin: ReliabilityBin) => (bin.lower + bin.upper) / 2, y: "confidence", fill: "var(--theme-red)", r: 2.5}),
      Plot.line([[0, 0], [1, 1]], {stroke: "currentColor", strokeDasharray: "4 3", strokeOpacity: 0.6}),
      // Faces per bin, as a strip along the bottom (height relative to the fullest bin).
      Plot.rectY(filled, {x1: "lower", x2: "upper", y1: 0, y2: (bin: ReliabilityBin) => 0.12 * (bin.count / Math.max(...filled.map((b) => b.count))), fill: "currentColor", fillOpacity: 0.25, inset: 1}),
      Plot.text([`ECE ${(ece * 100).toFixed(1)}%`], {frameAnchor: "top-left", dx: 6, dy: 6, fontSize: 13, fontWeight: "bold"}),
      Plot.ruleY([0])
    ]
  });
}
