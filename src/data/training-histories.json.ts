// Loader: every shipped model's training run (configuration, wall time, per-epoch history, the selected
// epoch and the learning-rate schedule it followed), from the committed metadata.json and history.json.
import {runLoader} from "../lib/node/report-data.ts";
import {trainingRuns} from "../lib/node/model-report.ts";

runLoader(async () => JSON.stringify({models: trainingRuns()}));
