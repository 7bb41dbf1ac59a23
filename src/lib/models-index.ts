// The one home of src/models/models.json's contract: which model folders the report ships, in report order,
// and which one is the default (the classifier's model, and the architecture `npm run train` builds unless
// told otherwise). Pure: tools/model-io.ts reads and writes the file; pages and loaders get it parsed.

/** src/models/models.json, parsed: the shipped models in report order, default first. */
export interface ModelsIndex {
  default: string;
  models: string[];
}

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

/** Reads models.json's content: `models` may list names or objects with a `name`; the default comes first. */
export function parseModelsIndex(value: unknown, source = MODELS_INDEX_FILE): ModelsIndex {
  const index = value as {default?: unknown; models?: unknown} | null;
  if (index == null || typeof index !== "object" || Array.isArray(index)) throw new Error(`${source}: expected a JSON object {default, models}`);
  if (!Array.isArray(index.models) || index.models.length === 0) {
    throw new Error(`${source}: "models" must be a non-empty array of model names, got ${JSON.stringify(index.models)}`);
  }
  const models = index.models.map((entry, k) => {
    const name = entryName(entry);
    try {
      return checkModelName(name as string);
    } catch {
      throw new Error(`${source}: models[${k}] is ${JSON.stringify(entry)}, expected a folder name under src/models`);
    }
  });
  if (typeof index.default !== "string" || !models.includes(index.default)) {
    throw new Error(`${source}: "default" is ${JSON.stringify(index.default)}, expected one of ${models.join(", ")}`);
  }
  return {default: index.default, models: [index.default, ...models.filter((name) => name !== index.default)]};
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
