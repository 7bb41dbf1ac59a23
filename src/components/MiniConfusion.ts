// A small, static confusion matrix: true class down, another class across (predicted, or what an app displayed),
// counts shaded by their share of the row, the diagonal outlined. For side-by-side comparisons.
import {html} from "htl";
import {EMOTIONS} from "../lib/labels.js";

export function MiniConfusion(confusion: number[][], {title, across = "predicted", columns = EMOTIONS as readonly string[]}: {title: string; across?: string; columns?: readonly string[]}): HTMLElement {
  const rowTotals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  return html`<figure class="mini-confusion">
    <figcaption>${title}</figcaption>
    <table>
      <thead><tr><th scope="col" class="corner">true ↓ ${across} →</th>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${confusion.map((row, t) => html`<tr><th scope="row">${EMOTIONS[t]}</th>${row.map((count, p) => {
        const share = rowTotals[t] ? count / rowTotals[t] : 0;
        return html`<td class=${t === p ? "diagonal" : ""} style=${{"--share": `${Math.round(share * 100)}%`}} title=${`${EMOTIONS[t]} shown as ${columns[p]}: ${count} (${Math.round(share * 100)}%)`}><span>${count}</span></td>`;
      })}</tr>`)}</tbody>
    </table>
  </figure>`;
}
