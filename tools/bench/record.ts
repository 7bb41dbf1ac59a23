// What a bench that the report quotes records beside its numbers, so that a page can say where they came
// from: the command that reproduces them, the date, the commit and the model the built site ships; and the
// write to the committed file (--write FILE).
import fs from "node:fs";
import path from "node:path";
import {execFileSync} from "node:child_process";

/** The short hash of HEAD, or null outside a git checkout. */
export function benchCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {encoding: "utf8", stdio: ["ignore", "pipe", "ignore"]}).trim();
  } catch {
    return null;
  }
}

/** `npm run bench -- NAME` with the flags that change the numbers (not where the site or the output live, nor the load note). */
export function benchCommand(name: string, argv: readonly string[]): string {
  const local = /^--(write|dist|load)(=|$)/;
  return ["npm run bench --", name, ...argv.filter((a, i) => !local.test(a) && !/^--(write|dist|load)$/.test(argv[i - 1] ?? ""))].join(" ").trim();
}

/** The model the built site's classifier ships (staged by `npm run vendor`, from src/models/models.json's default). */
export function shippedModelName(): string {
  return JSON.parse(fs.readFileSync(path.join("src", "vendor", "classifier", "model-info.json"), "utf8")).name;
}

/** Writes a bench's result as pretty JSON, creating the folder. */
export function writeBenchResult(file: string, result: object): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), {recursive: true});
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
