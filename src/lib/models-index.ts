// The one home of src/models/models.json's contract: which model folders the report ships, in report order,
// and which one is the default (the classifier's model, and the architecture `npm run train` builds unless
// told otherwise). Pure: tools/model-io.ts reads and writes the file; pages and loaders get it parsed.

import {validateCalibration, type ModelCalibration} from "./model-folder.js";

/** src/models/models.json, parsed: the shipped models in report order, default first. */
export interface ModelsIndex {
  default: string;
  /** Model folders (model.json + weights), default first. */
  models: string[];
  /** Ensembles: entries of "models" written {name, members}, each averaging the probabilities of its members. */
  ensembles: EnsembleEntry[];
}

/**
 * An ensemble of shipped models: each face's class probabilities are the mean of its members'. Its folder
 * src/models/NAME holds only what `npm run evaluate -- --model src/models/NAME` writes (evaluation.json);
 * the members are model folders listed in the same models.json.
 */
export interface EnsembleEntry {
  name: string;
  members: string[];
  /** The ensemble's temperature scaling, fitted on PublicTest by `npm run calibration -- --write` (absent: T = 1). */
  calibration?: ModelCalibration;
}

/** At most this many members an ensemble (issue 11's budget: 5 models of at most 2M parameters each). */
export const MAX_ENSEMBLE_MEMBERS = 5;

export const MODELS_INDEX_FILE = "models.json";

/**
 * Whether `name` can name a model folder beside models.json: letters, digits, ".", "_" and "-", starting
 * with a letter or digit, at most 64 characters, and not a file the folder already holds (models.json, *.json).
 */
export function checkModelName(name: string, what = "model name"): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) {
    throw new Error(`${what} is ${JSON.stringify(name)}, expected a folder name of letters, digits, ".", "_" or "-" (at most 64)`);
  }
  if (/\.(json|bin|tmp)$/i.test(name) || /\.(tmp|old)-\d+$/.test(name)) {
    throw new Error(`${what} is ${JSON.stringify(name)}: a model folder cannot be named like a file (.json, .bin) or a temporary folder`);
  }
  return name;
}

function entryName(entry: unknown): unknown {
  return typeof entry === "string" ? entry : (entry as {name?: unknown} | null)?.name;
}

/**
 * Reads models.json's content: `models` may list names, objects with a `name`, or ensembles written
 * `{name, members: [NAME, ...]}` (2 to 5 model folders of the same list); the default, a model folder, comes first.
 */
export function parseModelsIndex(value: unknown, source = MODELS_INDEX_FILE): ModelsIndex {
  const index = value as {default?: unknown; models?: unknown} | null;
  if (index == null || typeof index !== "object" || Array.isArray(index)) throw new Error(`${source}: expected a JSON object {default, models}`);
  if (!Array.isArray(index.models) || index.models.length === 0) {
    throw new Error(`${source}: "models" must be a non-empty array of model names, got ${JSON.stringify(index.models)}`);
  }
  const entries: unknown[] = index.models;
  const names = entries.map((entry, k) => {
    const name = entryName(entry);
    try {
      return checkModelName(name as string);
    } catch {
      throw new Error(`${source}: models[${k}] is ${JSON.stringify(entry)}, expected a folder name under src/models`);
    }
  });
  if (new Set(names).size !== names.length) {
    throw new Error(`${source}: "models" lists ${names.find((name, k) => names.indexOf(name) !== k)} twice`);
  }
  const isEnsemble = (entry: unknown) => entry != null && typeof entry === "object" && "members" in entry;
  const models = names.filter((_, k) => !isEnsemble(entries[k]));
  const ensembles = names.flatMap((name, k) => {
    const entry = entries[k];
    if (!isEnsemble(entry)) return [];
    const members = (entry as {members: unknown}).members;
    const expected = `expected 2 to ${MAX_ENSEMBLE_MEMBERS} distinct model folders of this list (${models.join(", ")})`;
    if (!Array.isArray(members) || members.length < 2 || members.length > MAX_ENSEMBLE_MEMBERS || new Set(members).size !== members.length) {
      throw new Error(`${source}: ensemble "${name}" has members ${JSON.stringify(members)}, ${expected}`);
    }
    const unknown = members.find((member) => typeof member !== "string" || !models.includes(member));
    if (unknown !== undefined) throw new Error(`${source}: ensemble "${name}" lists member ${JSON.stringify(unknown)}, ${expected}`);
    const calibration = (entry as {calibration?: unknown}).calibration;
    return [{name, members: members as string[], ...(calibration === undefined ? {} : {calibration: validateCalibration(calibration, `${source}: ensemble "${name}"`)})}];
  });
  if (typeof index.default !== "string" || !models.includes(index.default)) {
    const ensemble = ensembles.some((e) => e.name === index.default) ? " (the default is the classifier's one network, not an ensemble)" : "";
    throw new Error(`${source}: "default" is ${JSON.stringify(index.default)}, expected one of ${models.join(", ")}${ensemble}`);
  }
  return {default: index.default, models: [index.default, ...models.filter((name) => name !== index.default)], ensembles};
}

/**
 * models.json's content after listing `name` (kept in place if already there) and, with `makeDefault` (or
 * when the list had no valid default), naming it default. Other fields and object entries are kept as they are.
 */
export function addToModelsIndex(index: unknown, {name, makeDefault}: {name: string; makeDefault: boolean}): {default: string; models: unknown[]} {
  checkModelName(name);
  const current = (index ?? {}) as {default?: unknown; models?: unknown};
  const models: unknown[] = Array.isArray(current.models) ? [...current.models] : [];
  if (!models.some((entry) => entryName(entry) === name)) models.push(name);
  const names = models.map(entryName);
  const keepDefault = !makeDefault && typeof current.default === "string" && names.includes(current.default);
  return {...current, default: keepDefault ? (current.default as string) : name, models};
}

/** models.json's content with the ensemble entry `name` carrying `calibration` (replacing any it had); everything else kept. */
export function withEnsembleCalibration(index: unknown, {name, calibration}: {name: string; calibration: ModelCalibration}): unknown {
  const current = index as {models?: unknown} | null;
  const models = Array.isArray(current?.models) ? current.models : [];
  const at = models.findIndex((entry) => entry != null && typeof entry === "object" && "members" in entry && entryName(entry) === name);
  if (at < 0) throw new Error(`${MODELS_INDEX_FILE} has no ensemble "${name}"`);
  return {...current, models: models.map((entry, k) => (k === at ? {...(entry as object), calibration} : entry))};
}
