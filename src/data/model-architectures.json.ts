// Loader: every shipped model's layers with type, output shape, parameters and FLOPs, its totals and
// weight size, and the layer that ends each convolution block, read from the model's own model.json.
import {runLoader} from "../lib/node/report-data.ts";
import {modelArchitectures} from "../lib/node/model-report.ts";

runLoader(async () => JSON.stringify({models: await modelArchitectures()}));
