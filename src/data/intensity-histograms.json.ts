// Loader: intensity histograms of FER2013 (aggregate statistics), from the dataset or the committed snapshot.
import {aggregate, runLoader} from "../lib/node/report-data.ts";

runLoader(async () => JSON.stringify(await aggregate("intensity-histograms")));
