// Loader: what the architecture page needs to show activations in the browser. Members:
//   model.json, weights.bin   the default model, its shards joined (the page loads it with tf.io.fromMemory)
//   faces.json                {model, available, faces}: a seeded sample of PrivateTest faces to pick from,
//                             built from the images at build time only (never committed); none without FER2013
import {loadDatasetIfAvailable, runLoader} from "../../tools/dataset-loaders.js";
import {defaultModelFiles, pickableFaces} from "../../tools/model-loaders.js";
import {tarArchive} from "../lib/tar.js";

runLoader(async () => {
  const dataset = await loadDatasetIfAvailable();
  const {name, modelJson, weights} = defaultModelFiles();
  const faces = pickableFaces(dataset);
  return tarArchive([
    {name: "model.json", data: modelJson},
    {name: "weights.bin", data: weights},
    {name: "faces.json", data: JSON.stringify({model: name, available: Boolean(dataset), faces})}
  ]);
});
