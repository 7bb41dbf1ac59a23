// `npm run train -- --model NAME [...]`: trains a model on FER2013's Training split, selects the best epoch
// on PublicTest (or a --holdout of Training; never PrivateTest), and writes the model folder. Progress on stderr, a JSON summary on
// stdout. Flags: see train-options.ts.

import {printJson, progressLine, runCli} from "./cli.js";
import {loadFer2013} from "./fer2013.js";
import type {Fer2013Dataset} from "../src/lib/dataset.js";
import {syntheticDataset} from "./synthetic.js";
import {trainRun} from "./train-loop.js";
import {parseTrainOptions} from "./train-options.js";

async function main(): Promise<void> {
  const {config, out, resume, extendTo, backend, data, synthetic} = parseTrainOptions(process.argv.slice(2));
  const progress = progressLine({plainEveryMs: 30_000});
  let dataset: Fer2013Dataset;
  if (synthetic !== undefined) {
    dataset = syntheticDataset(synthetic);
  } else {
    dataset = await loadFer2013({
      path: data,
      onProgress: ({stage, done, total}) => progress.update(`loading fer2013: ${stage} ${done <= total ? `${Math.round((100 * done) / Math.max(1, total))}%` : done}`)
    });
    progress.done(`loaded fer2013: ${dataset.labels.length} faces`);
  }

  const result = await trainRun({
    config,
    dataset,
    out,
    resume,
    extendTo,
    backend,
    onStatus: (line, done) => (done ? progress.done(line) : progress.update(line)),
    onProgress: (p) =>
      progress.update(
        `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} ${p.imagesPerSecond.toFixed(1)} img/s ` +
          `loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}% eta ${formatSeconds(p.eta)}`
      ),
    onEpoch: (r, run) =>
      progress.done(
        `epoch ${r.epoch}/${run.epochs} done: loss ${r.trainLoss.toFixed(4)} acc ${(100 * r.trainAccuracy).toFixed(1)}% ` +
          (r.holdoutAccuracy !== undefined ? `| holdout loss ${r.holdoutLoss!.toFixed(4)} acc ${(100 * r.holdoutAccuracy).toFixed(2)}% ` : "") +
          `| PublicTest loss ${r.publicTestLoss.toFixed(4)} acc ${(100 * r.publicTestAccuracy).toFixed(2)}% ` +
          `| lr ${r.lr.toPrecision(3)} ${r.imagesPerSecond.toFixed(1)} img/s ${r.seconds.toFixed(1)} s | best epoch ${run.bestEpoch}`
      )
  });
  printJson(result);
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

runCli(main);
