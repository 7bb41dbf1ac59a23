// "What each change bought" on the training page: one ablation of src/models/experiments.json (ablations in
// src/lib/experiments.ts), its baseline first, then each run as the recipe change it made and the PublicTest
// points that change gained or lost against the baseline, at the selected epochs and where the runs settled
// (their last 10 epochs), with its training time. {kind: "network"} shows an architecture comparison
// (architectureComparisons) the same way, each run's change being the network it swapped in.
import {html} from "htl";
import type {Ablation} from "../lib/experiments.js";
import {recipeSummary, settledAccuracy, SETTLED_EPOCHS} from "../lib/experiments.js";
import {formatDuration, formatPercent, formatPoints} from "../lib/model-pages.js";

const points = (x: number) => formatPoints(x, 2);
const signClass = (x: number | null) => (x == null || x === 0 ? "" : x > 0 ? "gain" : "loss");
const percentOrDash = (x: number | null) => (x == null ? "–" : formatPercent(x, 2));

export function AblationTable(ablation: Ablation, {kind = "recipe"}: {kind?: "recipe" | "network"} = {}) {
  const {baseline, rows} = ablation;
  return html`<table class="counts ablation" data-testid=${kind === "recipe" ? "ablation" : "network-comparison"} data-baseline=${baseline.name}>
    <thead><tr><th style="text-align: left">change</th><th>PublicTest</th><th>points</th><th title=${`mean PublicTest accuracy of the last ${SETTLED_EPOCHS} epochs`}>last ${SETTLED_EPOCHS} epochs</th><th>points</th><th>training</th></tr></thead>
    <tbody>
      <tr data-run=${baseline.name}><td style="text-align: left; white-space: normal;"><strong>baseline</strong> (${baseline.name}${kind === "network" ? `: ${baseline.architecture}` : ""})<br><small class="muted">${recipeSummary(baseline.training)}</small></td>
        <td>${formatPercent(baseline.publicTestAccuracy, 2)}</td><td></td><td>${percentOrDash(settledAccuracy(baseline))}</td><td></td><td>${formatDuration(baseline.secondsTrained)}</td></tr>
      ${rows.map((row) => html`<tr data-run=${row.experiment.name}>
        <td style="text-align: left; white-space: normal;"><strong>${row.added.join(", ") || "the same recipe"}</strong>${row.removed.length ? html` <span class="muted">instead of ${row.removed.join(", ")}</span>` : ""}<br><small class="muted">${row.experiment.name}</small></td>
        <td>${formatPercent(row.experiment.publicTestAccuracy, 2)}</td>
        <td class=${signClass(row.difference)}>${points(row.difference)}</td>
        <td>${percentOrDash(settledAccuracy(row.experiment))}</td>
        <td class=${signClass(row.settledDifference)}>${row.settledDifference == null ? "" : points(row.settledDifference)}</td>
        <td>${formatDuration(row.experiment.secondsTrained)}</td>
      </tr>`)}
    </tbody>
  </table>`;
}
