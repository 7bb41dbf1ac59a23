// The experiments table of the training page: every training run recorded in src/models/experiments.json
// (npm run experiments), best PublicTest first, with its network, recipe, epochs, cost and note, and under its
// selected epoch's accuracy where it settled (the mean of its last 10 epochs, settledAccuracy). PublicTest
// only: runs are chosen on it, and PrivateTest is measured only for what ships. A run's note, in a full-width
// row under it, shows its first sentence (what the run tried); the rest (the command, the result) opens from
// it, a native disclosure that the keyboard reaches. (Each row is its own template: htl wraps a template of
// two root elements in a span, which would break the table.)
import {html} from "htl";
import {folderName, noteHeadline, noteParagraphs, noteSpans, recipeSummary, runState, settledAccuracy, SETTLED_EPOCHS, type Experiment} from "../lib/experiments.js";
import {formatCount, formatDuration, formatPercent} from "../lib/model-pages.js";

const spans = (text: string) => noteSpans(text).map((s) => (s.code ? html`<code>${s.text}</code>` : s.text));

function runNote(note: string) {
  const headline = noteHeadline(note);
  const rest = noteParagraphs(note.trim().slice(headline.length));
  if (!rest.length) return html`<div class="run-note"><small class="muted">${spans(headline)}</small></div>`;
  return html`<details class="run-note"><summary><small class="muted">${spans(headline)}</small></summary>${rest.map((p) => html`<p>${spans(p)}</p>`)}</details>`;
}

export function ExperimentsTable(experiments: readonly Experiment[], {shipped = []}: {shipped?: readonly string[]} = {}) {
  const rows = [...experiments].sort((a, b) => b.publicTestAccuracy - a.publicTestAccuracy);
  const settled = (e: Experiment) => {
    const accuracy = settledAccuracy(e);
    return accuracy == null ? "" : html`<br><small class="muted" style="white-space: nowrap;" title=${`mean PublicTest accuracy of the last ${SETTLED_EPOCHS} epochs`}>last ${SETTLED_EPOCHS}: ${formatPercent(accuracy)}</small>`;
  };
  // A run that has not finished: its planned epochs, and whether it was stopped by hand or is still training.
  const progress = (e: Experiment) => {
    const state = runState(e);
    return state === "finished" ? "" : html` of ${e.training.epochs}<br><small class="muted">${state === "stopped" ? "stopped by hand" : "still training"}</small>`;
  };
  // A fine-tune's time counts its parent's training (metadata.json's secondsTrained); say how much was its own.
  const fineTuning = (e: Experiment) =>
    e.training.init ? html`<br><small class="muted">${formatDuration(e.secondsTrained - e.training.init.secondsTrained)} after<br>${folderName(e.training.init.from)}</small>` : "";
  return html`<table class="counts experiments" data-testid="experiments">
    <thead><tr><th>run</th><th style="text-align: left">network</th><th style="text-align: left">recipe</th><th>epochs</th><th>PublicTest</th><th>training</th></tr></thead>
    <tbody>${rows.flatMap((e) => [html`<tr data-run=${e.name}>
      <td><strong>${e.name}</strong>${shipped.includes(e.name) ? html`<br><span class="muted">(shipped)</span>` : ""}</td>
      <td style="text-align: left; white-space: nowrap;">${e.architecture}<br><small class="muted">${formatCount(e.params)} params<br>${(e.flops / 1e6).toFixed(0)} MFLOPs</small></td>
      <td style="text-align: left; white-space: normal; min-width: 16em;"><small>${recipeSummary(e.training)}</small></td>
      <td>${e.epochsRun}${progress(e)}<br><small class="muted">best ${e.bestEpoch}</small></td>
      <td>${formatPercent(e.publicTestAccuracy)}${settled(e)}${e.selection !== "PublicTest" ? html`<br><small class="muted">chosen on a holdout<br>of Training</small>` : ""}</td>
      <td style="white-space: nowrap;">${formatDuration(e.secondsTrained)}${fineTuning(e)}${e.imagesPerSecond ? html`<br><small class="muted">${e.imagesPerSecond} faces/s</small>` : ""}</td>
    </tr>`, ...(e.note ? [html`<tr class="run-note-row" data-note-for=${e.name}><td colspan="6">${runNote(e.note)}</td></tr>`] : [])])}</tbody>
  </table>`;
}
