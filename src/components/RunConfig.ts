// A training run's configuration and cost as a two-column table: what was trained on what, with which
// optimizer, schedule, regularization and augmentation, on which backend, for how long.
import {html} from "htl";
import type {EpochRecord, ModelMetadata} from "../lib/model-folder.js";
import {formatCount, formatDuration} from "../lib/model-pages.js";

export function RunConfig(metadata: ModelMetadata, {epochs = []}: {epochs?: EpochRecord[]} = {}) {
  const t = metadata.training;
  const rates = epochs.map((e) => e.imagesPerSecond).sort((a, b) => a - b);
  const medianRate = rates.length ? rates[Math.floor(rates.length / 2)] : null;
  const augment = [
    t.augment.flip ? `horizontal flip (p ${t.augment.flip})` : null,
    t.augment.shift ? `shift ±${t.augment.shift} px` : null,
    t.augment.rotation ? `rotation ±${t.augment.rotation}°` : null,
    t.augment.scale ? `scale ±${Math.round(t.augment.scale * 100)}%` : null,
    t.erasing ? `random erasing (p ${t.erasing})` : null,
    t.mixup ? `mixup (α ${t.mixup})` : null
  ].filter(Boolean);
  const rows: [string, string][] = [
    ["architecture", `${metadata.architecture}, ${formatCount(metadata.params)} parameters`],
    ["training faces", `${metadata.dataset.trainingImages.toLocaleString("en-US")} (Training${t.limit ? `, first ${t.limit.toLocaleString("en-US")} shuffled` : ""}); selection on ${metadata.dataset.selectionImages.toLocaleString("en-US")} PublicTest faces`],
    ["epochs", `${metadata.epochsRun} run of ${t.epochs} planned${metadata.epochsRun < t.epochs ? ` (early stop, patience ${t.patience})` : ""}; selected epoch ${metadata.bestEpoch}`],
    ["optimizer", `${t.optimizer === "adam" ? "Adam" : "SGD"}, batch ${t.batch}${t.weightDecay ? `, weight decay ${t.weightDecay}${t.weightDecayScope === "kernels" ? " (conv and dense kernels only)" : ""}` : ""}`],
    ["learning rate", `${t.schedule === "onecycle" ? "one-cycle, peak" : t.schedule === "cosine" ? "cosine, from" : t.schedule === "plateau" ? "reduce on plateau, from" : "constant"} ${t.lr}`],
    ["loss", `cross-entropy${t.labelSmoothing ? `, label smoothing ${t.labelSmoothing}` : ""}${t.classWeights !== "none" ? `, ${t.classWeights} class weights` : ""}`],
    ["augmentation", augment.length ? augment.join(", ") : "none"],
    ["seed", String(t.seed)],
    ["hardware", `${metadata.backend}${metadata.workers ? `, ${metadata.workers} worker threads` : ""}${medianRate ? `, ${Math.round(medianRate)} faces/s (median epoch)` : ""}`],
    ["wall time", `${formatDuration(metadata.secondsTrained)} of training and PublicTest evaluation`],
    ["trained", metadata.createdAt.slice(0, 10)]
  ];
  return html`<table class="run-config" data-testid="run-config"><tbody>${rows.map(([key, value]) => html`<tr><th scope="row">${key}</th><td>${value}</td></tr>`)}</tbody></table>`;
}
