// `npm run ingest [-- --data PATH]`: loads FER2013 (filling the binary cache) and prints one JSON summary
// on stdout: images, per-split per-class counts, duplicate and near-blank findings, seconds, cached.

import {classCounts, datasetSize} from "../src/lib/dataset.js";
import {findDuplicates, findNearBlank} from "../src/lib/duplicates.js";
import {loadFer2013, type LoadProgress} from "./fer2013.js";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";

function describeProgress({stage, done, total}: LoadProgress): string {
  if (stage === "parsing") return `parsing ${(done / 2 ** 20).toFixed(0)}/${(total / 2 ** 20).toFixed(0)} MB`;
  return total > 0 ? `${stage} ${done}/${total}` : `${stage} ${done}`;
}

runCli(async () => {
  const {flags, positionals} = parseFlags(
    process.argv.slice(2),
    {data: "string"},
    "npm run ingest -- [--data PATH]\n\nReads FER2013 (a folder or fer2013.csv; default $FER2013_PATH, data/fer2013, data/fer2013.csv),\nfills the binary cache in .cache/fer2013/ and prints one JSON summary: counts per split and class,\nidentical faces within and across splits, near-blank faces, seconds."
  );
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}", expected only --data PATH`);
  const progress = progressLine();
  const started = performance.now();
  const dataset = await loadFer2013({path: flags.data, onProgress: (p) => progress.update(describeProgress(p))});
  const seconds = (performance.now() - started) / 1000;
  progress.done(`loaded ${datasetSize(dataset)} faces from ${dataset.source}${dataset.cached ? " (cache)" : ""} in ${seconds.toFixed(1)} s`);
  printJson({
    source: dataset.source,
    images: datasetSize(dataset),
    splits: classCounts(dataset),
    duplicates: findDuplicates(dataset).summary,
    nearBlank: findNearBlank(dataset).length,
    seconds: Number(seconds.toFixed(2)),
    cached: dataset.cached
  });
});
