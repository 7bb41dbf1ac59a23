// Which model reads photos best, from the photo-models bench's committed aggregates
// (src/data/classifier-photo-models.json, written by `npm run bench -- photo-models`): every shipped model on the
// same faces found in generated scenes of PublicTest faces, read as the photo panel reads them, beside the same
// model on the faces' original crops, and each compared face by face with the first (the default).
import {html} from "htl";

interface Paired {
  gains: number;
  losses: number;
  net: number;
  standardError: number;
}

interface PhotoModelRow {
  name: string;
  photo: {all: number; over100: number};
  original: {onePass: number; mirrored: number};
  /** Against the first row: faces only this model reads right (gains), only the first does (losses). */
  vs?: {photo: Paired; originalMirrored: Paired};
  /** On the found faces' photo reading: how sure the network and the model (at its temperature) say they are. */
  confidence?: {temperature: number; network: Confidence; calibrated: Confidence};
}

interface Confidence {
  meanConfidence: number;
  ece: number;
}

export interface PhotoModelsBench {
  command: string;
  date: string;
  commit: string | null;
  load: string;
  default: string;
  split: string;
  seed: number;
  scenes: number;
  faces: {all: number; over100: number; found: number};
  models: PhotoModelRow[];
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

/** "−22 ± 15": how many more faces a model reads right than the first, and the standard error of that count. */
export function versusText(paired: Paired | undefined): string {
  if (!paired) return "–";
  const sign = paired.net > 0 ? "+" : paired.net < 0 ? "−" : "±";
  return `${sign}${Math.abs(paired.net)} ± ${Math.round(paired.standardError)}`;
}

/** "73% · ECE 3.4%": a model's mean top-1 confidence on the photos and its expected calibration error; a dash where not measured. */
export function confidenceText(confidence: Confidence | undefined): string {
  if (!confidence) return "–";
  return `${Math.round(100 * confidence.meanConfidence)}% · ECE ${percent(confidence.ece)}`;
}

/** The table of every model's end-to-end photo accuracy on the bench's faces, best first. */
export function PhotoModelsTable(data: PhotoModelsBench): HTMLElement {
  const [first] = data.models;
  const rows = [...data.models].sort((a, b) => b.photo.all - a.photo.all);
  return html`<div class="photo-models">
  <p>${data.faces.all.toLocaleString("en-US")} ${data.split} faces (the split models are chosen on; none of them trained on it) pasted into ${data.scenes.toLocaleString("en-US")} generated scenes like those above; the photo finder found ${percent(data.faces.found / data.faces.all)} of them. Every model reads the same found faces as this page reads a photo (three crop sizes, each mirrored); a missed face counts as wrong. Best first. "Lost to the pipeline" is the model on the faces' original crops minus the same model end to end. The last column counts the faces a model reads right that ${first.name} reads wrong, minus the reverse, with the standard error of that count: within about two of it, the two models read photos alike. "Sure, on photos" is the model's mean top-1 probability on the found faces, as this page shows it (at the model's temperature, fitted on PublicTest's 48 × 48 crops by <code>npm run calibration</code>), with its expected calibration error; under it, the network's own, before the temperature.</p>
  <table class="counts compact photo-models-table" data-testid="photo-models">
    <thead><tr><th>model</th><th>photos, end to end</th><th>faces 100 px and up</th><th>original crops, mirrored</th><th>lost to the pipeline</th><th>against ${first.name}, faces</th><th>sure, on photos</th></tr></thead>
    <tbody>${rows.map((row) => html`<tr data-model=${row.name} class=${row.name === data.default ? "default" : ""}>
      <td style="white-space: nowrap;">${row.name}${row.name === data.default ? html` <span class="muted">(default)</span>` : ""}</td>
      <td><strong>${percent(row.photo.all)}</strong></td><td>${percent(row.photo.over100)}</td><td>${percent(row.original.mirrored)}</td>
      <td>${(100 * (row.original.mirrored - row.photo.all)).toFixed(1)} points</td><td>${versusText(row.vs?.photo)}</td>
      <td style="white-space: nowrap;">${confidenceText(row.confidence?.calibrated)}${row.confidence ? html`<br><small class="muted">network ${confidenceText(row.confidence.network)}</small>` : ""}</td>
    </tr>`)}</tbody>
  </table>
  <p class="pipeline-source">Measured ${data.date}${data.commit ? ` at ${data.commit}` : ""} with <code>${data.command}</code> (tools/bench/photo-models.ts: the photo panel's finder and crop replayed in Node, scenes seeded ${data.seed}; ${data.load}).</p>
</div>`;
}
