// Loader: every shipped model's training run (configuration, wall time, per-epoch history, the selected
// epoch and the learning-rate schedule it followed), from the committed metadata.json and history.json.
import {runLoader} from "../../tools/dataset-loaders.js";
import {trainingRuns} from "../../tools/model-loaders.js";

runLoader(async () => JSON.stringify({models: trainingRuns()}));
