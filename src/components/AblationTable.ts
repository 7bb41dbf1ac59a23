// "What each change bought" on the training page: one ablation of src/models/experiments.json (ablations in
// src/lib/experiments.ts), its baseline first, then each run as the recipe change it made and the PublicTest
// points that change gained or lost against the baseline, with its training time.
import {html} from "htl";
import type {Ablation} from "../lib/experiments.js";
import {recipeSummary} from "../lib/experiments.js";
import {formatDuration, formatPercent} from "../lib/model-pages.js";

const points = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)}`;

export function AblationTable(ablation: Ablation) {
  const {baseline, rows} = ablation;
  return html`<table class="counts ablation" data-testid="ablation" data-baseline=${baseline.name}>
    <thead><tr><th style="text-align: left">change</th><th>PublicTest</th><th>points</th><th>training</th></tr></thead>
    <tbody>
      <tr data-run=${baseline.name}><td style="text-align: left; white-space: normal;"><strong>baseline</strong> (${baseline.name})<br><small class="muted">${recipeSummary(baseline.training)}</small></td>
        <td>${formatPercent(baseline.publicTestAccuracy, 2)}</td><td></td><td>${formatDuration(baseline.secondsTrained)}</td></tr>
      ${rows.map((row) => html`<tr data-run=${row.experiment.name}>
        <td style="text-align: left; white-space: normal;"><strong>${row.added.join(", ") || "the same recipe"}</strong>${row.removed.length ? html` <span class="muted">instead of ${row.removed.join(", ")}</span>` : ""}<br><small class="muted">${row.experiment.name}</small></td>
        <td>${formatPercent(row.experiment.publicTestAccuracy, 2)}</td>
        <td class=${row.difference > 0 ? "gain" : row.difference < 0 ? "loss" : ""}>${points(row.difference)}</td>
        <td>${formatDuration(row.experiment.secondsTrained)}</td>
      </tr>`)}
    </tbody>
  </table>`;
}
