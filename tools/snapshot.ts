// `npm run snapshot`: recomputes the dataset explorer's aggregate statistics from FER2013 and writes
// them to src/data/snapshot/*.json, the committed fallback that lets the report build without the data.
// Only aggregates (counts, histograms, mean faces per class) are written: nothing of an individual image.

import fs from "node:fs";
import {AGGREGATES, SNAPSHOT_DIR, loadDatasetIfAvailable, log, snapshotPath, type AggregateName} from "./dataset-loaders.js";
import {FER2013_HELP} from "./fer2013.js";
import {parseFlags, runCli} from "./cli.js";

const USAGE = "npm run snapshot\n\nRecomputes the aggregate statistics of FER2013 (FER2013_PATH, data/fer2013, data/fer2013.csv) into src/data/snapshot/*.json.";

async function main(): Promise<void> {
  parseFlags(process.argv.slice(2), {}, USAGE);
  const dataset = await loadDatasetIfAvailable();
  if (!dataset) throw new Error(`npm run snapshot needs the dataset: ${FER2013_HELP}`);
  fs.mkdirSync(SNAPSHOT_DIR, {recursive: true});
  const written: Record<string, number> = {};
  for (const name of Object.keys(AGGREGATES) as AggregateName[]) {
    const text = `${JSON.stringify(AGGREGATES[name](dataset))}\n`;
    fs.writeFileSync(snapshotPath(name), text);
    written[name] = text.length;
    log(`wrote ${snapshotPath(name)} (${text.length} bytes)`);
  }
  process.stdout.write(`${JSON.stringify({faces: dataset.labels.length, written})}\n`);
}

runCli(main);
