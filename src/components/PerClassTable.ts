// Precision, recall, F1 and support of every class, with a bar under recall and F1 so the hard classes
// (fear, sad) and the rare one (disgust) stand out, and the macro average in the footer.
import {html} from "htl";
import {EMOTIONS} from "../lib/labels.js";
import {EMOTION_COLORS} from "../lib/palette.js";
import type {ClassMetrics} from "../lib/metrics.js";

const fixed = (x: number) => x.toFixed(3);

function bar(value: number, color: string) {
  return html`<div class="metric-bar" aria-hidden="true"><div style=${{width: `${(value * 100).toFixed(1)}%`, background: color}}></div></div>`;
}

export function PerClassTable(perClass: Record<string, ClassMetrics>) {
  const rows = EMOTIONS.map((emotion) => ({emotion, ...perClass[emotion]}));
  const mean = (key: "precision" | "recall" | "f1") => rows.reduce((sum, row) => sum + row[key], 0) / rows.length;
  const support = rows.reduce((sum, row) => sum + row.support, 0);
  return html`<table class="counts per-class" data-testid="per-class-table">
    <thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
    <tbody>${rows.map((row) => html`<tr data-emotion=${row.emotion}>
      <td><span class="swatch" style=${{background: EMOTION_COLORS[row.emotion]}}></span>${row.emotion}</td>
      <td>${fixed(row.precision)}</td>
      <td>${fixed(row.recall)}${bar(row.recall, EMOTION_COLORS[row.emotion])}</td>
      <td>${fixed(row.f1)}${bar(row.f1, EMOTION_COLORS[row.emotion])}</td>
      <td>${row.support.toLocaleString("en-US")}</td>
    </tr>`)}</tbody>
    <tfoot><tr><th>macro average</th><th>${fixed(mean("precision"))}</th><th>${fixed(mean("recall"))}</th><th>${fixed(mean("f1"))}</th><th>${support.toLocaleString("en-US")}</th></tr></tfoot>
  </table>`;
}
