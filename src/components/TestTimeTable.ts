// The metrics page's test-time options: each model's accuracy and macro-F1 on one split with no averaging,
// with its mirror image (flip) and over ten views (five 44-pixel crops and their mirrors), with the cost of
// each in network passes per face. The page's camera uses one pass, its photos six (see the classifier page).
import {html} from "htl";
import {formatPercent, TEST_TIME_OPTIONS, type TestTimeRow} from "../lib/model-pages.js";

export function TestTimeTable(rows: readonly TestTimeRow[]) {
  return html`<table class="counts test-time" data-testid="test-time">
    <thead><tr><th>model</th>${TEST_TIME_OPTIONS.map((o) => html`<th>${o.label}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => {
      const best = Math.max(...TEST_TIME_OPTIONS.map((o) => row.options[o.key]?.accuracy ?? 0));
      return html`<tr data-model=${row.name}>
        <td><strong>${row.name}</strong>${row.isDefault ? html` <span class="muted">(default)</span>` : ""}</td>
        ${TEST_TIME_OPTIONS.map((o) => {
          const cell = row.options[o.key];
          if (!cell) return html`<td class="muted" title=${`npm run evaluate -- --model src/models/${row.name} ${o.flag} measures it`}>–</td>`;
          const text = formatPercent(cell.accuracy);
          return html`<td>${cell.accuracy === best ? html`<strong>${text}</strong>` : text}<br><small class="muted">F1 ${cell.macroF1.toFixed(3)}, ${cell.passes} pass${cell.passes === 1 ? "" : "es"}</small></td>`;
        })}
      </tr>`;
    })}</tbody>
  </table>`;
}
