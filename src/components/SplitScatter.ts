// FER2013's two test splits against each other: each evaluated model's plain PublicTest accuracy (x) and
// PrivateTest accuracy (y), with the diagonal where they would agree and the line shifted by their mean
// difference (splitAgreement in src/lib/model-pages.ts).
import * as Plot from "@observablehq/plot";
import {plot} from "./plot.js";
import {formatPoints, type SplitPair} from "../lib/model-pages.js";

export function SplitScatter(pairs: readonly SplitPair[], {meanGap, width = 480, height = 320}: {meanGap: number; width?: number; height?: number}) {
  const values = pairs.flatMap((p) => [p.publicTest, p.privateTest]);
  const domain = [Math.floor(Math.min(...values) * 100 - 0.5) / 100, Math.ceil(Math.max(...values) * 100 + 0.5) / 100];
  const percent = (x: number) => (100 * x).toFixed(0);
  const title = (p: SplitPair) => `${p.name}\nPublicTest ${(100 * p.publicTest).toFixed(2)}%\nPrivateTest ${(100 * p.privateTest).toFixed(2)}% (${formatPoints(p.privateTest - p.publicTest, 2)})`;
  return plot({
    width,
    height,
    marginLeft: 48,
    marginRight: 16,
    x: {label: "PublicTest accuracy (%)", domain, tickFormat: percent, grid: true},
    y: {label: "PrivateTest accuracy (%)", domain, tickFormat: percent, grid: true},
    marks: [
      Plot.line(domain.map((x) => ({x, y: x})), {x: "x", y: "y", stroke: "var(--theme-foreground-faint)", strokeDasharray: "4 3"}),
      Plot.line(domain.map((x) => ({x, y: x + meanGap})), {x: "x", y: "y", stroke: "var(--theme-foreground-muted)", clip: true}),
      Plot.dot(pairs, {x: "publicTest", y: "privateTest", r: (p: SplitPair) => (p.isDefault || p.ensemble ? 5 : 3.5), fill: (p: SplitPair) => (p.isDefault ? "var(--theme-foreground-focus)" : "var(--theme-background)"), stroke: "var(--theme-foreground-focus)", ariaLabel: title}),
      // Names for the default and the ensembles; the rest crowd each other, so their names are in the tooltips.
      Plot.text(pairs.filter((p) => p.isDefault || p.ensemble), {x: "publicTest", y: "privateTest", text: "name", dx: 8, textAnchor: "start", fontSize: 11, fill: "var(--theme-foreground)"}),
      Plot.tip(pairs, Plot.pointer({x: "publicTest", y: "privateTest", title}))
    ]
  });
}
