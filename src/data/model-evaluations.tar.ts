// Loader: an archive of what the metrics page and the index's model comparison show. With FER2013 here,
// every shipped model runs over PublicTest and PrivateTest (the code of `npm run evaluate`); without it,
// the committed evaluation.json files are read. Members:
//   evaluations.json        per model and split: metrics, confusion matrix, faces kept per cell
//   summary.json            per model: the headline numbers of the index's comparison table
//   faces-PublicTest.png    the faces behind the cells, one 48 x 48 tile each (built here, never committed)
//   faces-PrivateTest.png
import {encodeGreyPng, loadDatasetIfAvailable, log, runLoader} from "../../tools/dataset-loaders.js";
import {modelEvaluations} from "../../tools/model-loaders.js";
import {tarArchive} from "../lib/tar.js";

runLoader(async () => {
  const dataset = await loadDatasetIfAvailable();
  const {report, summary, sprites} = await modelEvaluations({dataset, log});
  const empty = {width: 1, height: 1, pixels: new Uint8Array(1)};
  return tarArchive([
    {name: "evaluations.json", data: JSON.stringify(report)},
    {name: "summary.json", data: JSON.stringify(summary)},
    {name: "faces-PublicTest.png", data: encodeGreyPng(sprites?.PublicTest ?? empty)},
    {name: "faces-PrivateTest.png", data: encodeGreyPng(sprites?.PrivateTest ?? empty)}
  ]);
});
