// Loader: class distribution of FER2013 (aggregate statistics), from the dataset or the committed snapshot.
import {aggregate, runLoader} from "../../tools/dataset-loaders.js";

runLoader(async () => JSON.stringify(await aggregate("class-distribution")));
