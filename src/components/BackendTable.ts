// The browser check's result: one row per tfjs backend, whether it works, its time for one convolution and
// what it is here (WebAssembly with SIMD, WebGL 2, ...). Rows carry data-backend and data-ok for the tests.
import {html} from "htl";
import type {BackendCheck} from "../lib/backend-check.js";

export function BackendTable(results: BackendCheck[]): HTMLElement {
  return html`<table class="counts compact" data-testid="backend-results">
  <thead><tr><th>engine</th><th>works</th><th>one convolution</th><th style="text-align: left">details</th></tr></thead>
  <tbody>${results.map((r) => html`<tr data-backend=${r.backend} data-ok=${r.ok ? "yes" : "no"}>
    <td>${r.backend}</td><td>${r.ok ? "yes" : "no"}</td><td>${Number.isFinite(r.ms) ? `${r.ms.toFixed(2)} ms` : "–"}</td><td style="text-align: left">${r.note}</td>
  </tr>`)}</tbody>
</table>`;
}
