// The class distribution as a table: count and share of every class in every split, with totals.
// The rarest class's row is highlighted so the imbalance is visible at a glance.
// (Cells are built one htl template each: a template with two roots comes back wrapped in a <span>.)
import {html} from "htl";
import {EMOTIONS, SPLITS} from "../lib/labels.js";
import {EMOTION_COLORS} from "../lib/palette.js";
import type {ClassShareRow} from "./ClassDistribution.js";

const integer = (n: number) => n.toLocaleString("en-US");
const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

export function CountsTable(rows: ClassShareRow[], {highlight}: {highlight?: string} = {}) {
  const cell = (split: string, emotion: string) => rows.find((d) => d.split === split && d.emotion === emotion);
  const totals = SPLITS.map((split) => rows.filter((d) => d.split === split).reduce((sum, d) => sum + d.count, 0));
  return html`<table class="counts" data-testid="counts-table">
    <thead><tr><th>class</th>${SPLITS.map((split) => html`<th colspan="2">${split}</th>`)}<th>all</th></tr></thead>
    <tbody>${EMOTIONS.map((emotion) => {
      const counts = SPLITS.map((split) => cell(split, emotion)?.count ?? 0);
      return html`<tr class=${emotion === highlight ? "highlight" : ""} data-emotion=${emotion}>
        <td><span class="swatch" style=${{background: EMOTION_COLORS[emotion]}}></span>${emotion}</td>
        ${SPLITS.flatMap((split, s) => [
          html`<td data-split=${split}>${integer(counts[s])}</td>`,
          html`<td class="share">${percent(cell(split, emotion)?.share ?? 0)}</td>`
        ])}
        <td>${integer(counts.reduce((a, b) => a + b, 0))}</td>
      </tr>`;
    })}</tbody>
    <tfoot><tr data-emotion="total"><th>total</th>${SPLITS.flatMap((split, s) => [html`<th data-split=${split}>${integer(totals[s])}</th>`, html`<th></th>`])}<th>${integer(totals.reduce((a, b) => a + b, 0))}</th></tr></tfoot>
  </table>`;
}
