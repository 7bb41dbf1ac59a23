// `npm run export -- --model RUN_DIR --name NAME [--quantize uint8|float16|none] [--out src/models] [--default]`:
// ships a trained run as a model folder the report and the browser classifier read, prints a JSON summary.

import path from "node:path";
import {parseFlags, printJson, runCli} from "./cli.js";
import {exportModelFolder} from "./model-export.js";
import {DEFAULT_MIN_ELEMENTS, QUANTIZE_DTYPES, type QuantizeDtype} from "../src/lib/quantize.js";

const FLAGS = {model: "string", name: "string", quantize: "string", out: "string", default: "boolean", "min-elements": "number"} as const;

const USAGE = `npm run export -- --model RUN_DIR --name NAME [--quantize uint8|float16|none] [--out src/models] [--default]
                  [--min-elements N]

Copies a run folder written by npm run train into OUT/NAME (model.json, weights.bin, metadata.json,
history.json) with its weights stored as --quantize (default uint8: per-tensor affine, value = q * scale + min;
tfjs dequantizes on load), and lists NAME in OUT/models.json (--default makes it the classifier's model).
Weights with fewer than --min-elements values (default ${DEFAULT_MIN_ELEMENTS}: BatchNorm vectors, biases) stay float32.
A previous OUT/NAME is replaced whole; run npm run evaluate -- --model OUT/NAME afterwards.`;

async function main(): Promise<void> {
  const {flags, positionals} = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  if (!flags.model) throw new Error("--model RUN_DIR is required: a folder written by npm run train");
  if (!flags.name) throw new Error("--name NAME is required: the folder name under --out (e.g. fer-lite)");
  const dtype = (flags.quantize ?? "uint8") as QuantizeDtype;
  if (!QUANTIZE_DTYPES.includes(dtype)) throw new Error(`--quantize is "${flags.quantize}", expected one of ${QUANTIZE_DTYPES.join(", ")}`);
  const minElements = flags["min-elements"] ?? DEFAULT_MIN_ELEMENTS;
  if (!Number.isInteger(minElements) || minElements < 0) throw new Error(`--min-elements is ${minElements}, expected a non-negative integer`);
  const result = exportModelFolder({
    runDir: path.resolve(flags.model),
    name: flags.name,
    outDir: path.resolve(flags.out ?? "src/models"),
    dtype,
    minElements,
    makeDefault: Boolean(flags.default)
  });
  process.stderr.write(`wrote ${result.dir}: ${result.quantization.bytes} bytes of weights (${result.quantization.float32Bytes} in float32)\n`);
  printJson(result);
}

runCli(main);
