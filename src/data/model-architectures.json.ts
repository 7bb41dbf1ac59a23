// Loader: every shipped model's layers with type, output shape, parameters and FLOPs, its totals and
// weight size, and the layer that ends each convolution block, read from the model's own model.json.
import {runLoader} from "../../tools/dataset-loaders.js";
import {modelArchitectures} from "../../tools/model-loaders.js";

runLoader(async () => JSON.stringify({models: await modelArchitectures()}));
