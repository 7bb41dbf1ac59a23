// A confusion matrix as a table of buttons (true class per row, predicted per column), shaded by the
// row-normalized share so the diagonal reads as recall. Each cell is a button: click it, or focus it
// and press Enter or Space, to select it; arrow keys move between cells. Like an Observable input, the
// node's `value` is the selected cell ({label, predicted} or null) and it fires "input" on a change.
import {html} from "htl";
import {EMOTIONS} from "../lib/labels.js";
import {EMOTION_COLORS} from "../lib/palette.js";
import {rowNormalize} from "../lib/model-pages.js";

export interface SelectedCell {
  label: number;
  predicted: number;
}

export interface ConfusionMatrixOptions {
  /** "counts" shows the number of faces, "normalized" the share of the true class's faces. */
  mode?: "counts" | "normalized";
  value?: SelectedCell | null;
}

const integer = (n: number) => n.toLocaleString("en-US");
const percent = (x: number) => `${(x * 100).toFixed(x >= 0.995 || x === 0 ? 0 : 1)}%`;

export function ConfusionMatrix(confusion: number[][], {mode = "counts", value = null}: ConfusionMatrixOptions = {}) {
  const shares = rowNormalize(confusion);
  const rowTotals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = EMOTIONS.map((_, p) => confusion.reduce((sum, row) => sum + row[p], 0));
  const buttons: HTMLButtonElement[][] = [];
  const swatch = (emotion: string) => html`<span class="swatch" style=${{background: EMOTION_COLORS[emotion as keyof typeof EMOTION_COLORS]}}></span>`;
  const table = html`<table class="confusion-matrix" data-testid="confusion-matrix" data-mode=${mode}>
    <caption>Rows: true class. Columns: predicted class. ${mode === "counts" ? "Faces per cell" : "Share of each true class (rows sum to 100%)"}; shading is the row share.</caption>
    <thead><tr><th class="corner" scope="col"><span>true ↓ predicted →</span></th>${EMOTIONS.map((emotion) => html`<th scope="col">${swatch(emotion)}${emotion}</th>`)}<th scope="col" class="total">faces</th></tr></thead>
    <tbody>${confusion.map((row, t) => {
      buttons[t] = [];
      return html`<tr><th scope="row">${swatch(EMOTIONS[t])}${EMOTIONS[t]}</th>${row.map((count, p) => {
        const share = shares[t][p];
        const strength = Math.round(Math.sqrt(share) * 85);
        const button = html`<button type="button" class=${`cell${t === p ? " diagonal" : ""}`}
          data-label=${EMOTIONS[t]} data-predicted=${EMOTIONS[p]} data-count=${count} tabindex="-1"
          aria-pressed="false"
          aria-label=${`${EMOTIONS[t]} faces predicted ${EMOTIONS[p]}: ${integer(count)}, ${percent(share)} of ${EMOTIONS[t]}`}
          style=${{"--strength": `${strength}%`}}><span class="cell-value">${mode === "counts" ? integer(count) : percent(share)}</span></button>` as HTMLButtonElement;
        button.addEventListener("click", () => select({label: t, predicted: p}, true));
        buttons[t][p] = button;
        return html`<td>${button}</td>`;
      })}<td class="total">${integer(rowTotals[t])}</td></tr>`;
    })}</tbody>
    <tfoot><tr><th scope="row">predicted</th>${columnTotals.map((n) => html`<td class="total">${integer(n)}</td>`)}<td class="total">${integer(rowTotals.reduce((a, b) => a + b, 0))}</td></tr></tfoot>
  </table>` as HTMLTableElement & {value: SelectedCell | null};

  let focused: SelectedCell = value ?? {label: 0, predicted: 0};
  function select(cell: SelectedCell | null, notify: boolean) {
    table.value = cell;
    buttons.forEach((row, t) => row.forEach((b, p) => b.setAttribute("aria-pressed", String(cell?.label === t && cell?.predicted === p))));
    if (cell) focus(cell, false);
    if (notify) table.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function focus(cell: SelectedCell, move: boolean) {
    buttons[focused.label][focused.predicted].tabIndex = -1;
    focused = cell;
    const button = buttons[cell.label][cell.predicted];
    button.tabIndex = 0;
    if (move) button.focus();
  }
  // A grid is one tab stop; arrows move inside it (the ARIA grid pattern).
  table.addEventListener("keydown", (event: KeyboardEvent) => {
    const steps: Record<string, [number, number]> = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
    const step = steps[event.key];
    if (!step || !(event.target instanceof HTMLButtonElement)) return;
    event.preventDefault();
    const n = EMOTIONS.length;
    focus({label: (focused.label + step[0] + n) % n, predicted: (focused.predicted + step[1] + n) % n}, true);
  });
  focus(focused, false);
  select(value, false);
  return table;
}
