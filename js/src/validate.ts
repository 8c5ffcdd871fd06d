// `validateFile`: a dataset file checked against Together's rules as it streams from disk.
import { open } from "node:fs/promises";

import { core } from "./core.js";
import { selftuneError } from "./errors.js";
import { createMemoryHost } from "./hosts/memory.js";
import { loadTokenizer } from "./tokenizers.js";
import type {
  DatasetFormat,
  TokenCounterLike,
  ValidationTokens,
  ValidationError,
  ValidationReport,
  ValidationRule,
} from "../wasm/selftune.js";

export type { DatasetFormat, TokenCounterLike, ValidationTokens, ValidationError, ValidationReport, ValidationRule };

export interface ValidateFileOptions {
  /**
   * The Together model the file is for. Its built-in token limit applies unless `maxTokens` is
   * given (2,048 for `deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B`, 8,192 for
   * `deepseek-ai/DeepSeek-R1-Distill-Llama-70B`), and samples are counted with its own tokenizer
   * when its vocabulary package is installed, else with the core's estimate (`exact: false`).
   */
  modelId?: string;
  /** Longest accepted sample, in tokens. */
  maxTokens?: number;
  /** Errors kept in the report (default 100); later ones are only counted. */
  maxErrors?: number;
  /** Counts the tokens instead of the model's tokenizer or the estimate. */
  counter?: TokenCounterLike;
}

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Checks a JSONL dataset against Together's fine-tuning rules, reading it as a stream (files of
 * any size). Resolves to the report, pass or fail; rejects only when the file cannot be read
 * (`io`) or the options are malformed (`invalid_argument`).
 *
 * ```js
 * const report = await validateFile("train.jsonl", { modelId: "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B" });
 * if (!report.passed) console.log(report.message); // line 3: messages[1]: ...
 * ```
 */
export async function validateFile(path: string, options: ValidateFileOptions = {}): Promise<ValidationReport> {
  const { modelId, maxTokens, maxErrors } = options;
  const model = options.counter === undefined && modelId !== undefined ? await modelCounter(modelId) : undefined;
  let validator: Validator;
  try {
    validator = new core.DatasetValidator({ modelId, maxTokens, maxErrors }, options.counter ?? model?.counter);
  } catch (error) {
    model?.dispose();
    throw error;
  }
  let finished = false;
  try {
    const file = await open(path, "r").catch((error: Error) => {
      throw selftuneError("io", `cannot read '${path}': ${error.message}`);
    });
    try {
      await pushFile(validator, file.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: false }), path);
    } finally {
      await file.close();
    }
    finished = true;
    return validator.finish();
  } finally {
    if (!finished) validator.free();
    model?.dispose();
  }
}

type Validator = InstanceType<typeof core.DatasetValidator>;

/** Feeds whole lines to the validator; a line may span any number of chunks. */
async function pushFile(validator: Validator, chunks: AsyncIterable<Buffer>, path: string): Promise<void> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pending: Buffer[] = [];
  try {
    for await (const chunk of chunks) {
      const last = chunk.lastIndexOf(NEWLINE);
      if (last < 0) {
        pending.push(chunk);
        continue;
      }
      pending.push(chunk.subarray(0, last));
      pushBlock(validator, decoder, pending.length === 1 ? pending[0] : Buffer.concat(pending));
      pending = [chunk.subarray(last + 1)];
    }
  } catch (error) {
    if ((error as { name?: string }).name === "SelftuneError") throw error;
    throw selftuneError("io", `cannot read '${path}': ${(error as Error).message}`);
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) pushBlock(validator, decoder, rest);
}

/** Complete lines joined by `\n`. A block that is not UTF-8 goes line by line, as bytes, so the
 * core reports each bad line with the column of its first invalid byte. */
function pushBlock(validator: Validator, decoder: TextDecoder, block: Uint8Array): void {
  let text: string;
  try {
    text = decoder.decode(block);
  } catch {
    let start = 0;
    for (;;) {
      const end = block.indexOf(NEWLINE, start);
      validator.pushLineBytes(block.subarray(start, end < 0 ? block.length : end));
      if (end < 0) return;
      start = end + 1;
    }
  }
  validator.pushLines(text);
}

/**
 * `modelId`'s own tokenizer, when its vocabulary package is installed, through a handle of its
 * own (the core counts synchronously once the vocabulary is loaded). Undefined otherwise: the
 * core then counts with its labelled estimate.
 */
async function modelCounter(modelId: string): Promise<{ counter: TokenCounterLike; dispose(): void } | undefined> {
  if (core.canonicalModelId(modelId) === undefined) return undefined;
  const counting = await core.SelftuneCore.create(createMemoryHost(), undefined);
  const loaded = await loadTokenizer(counting, new Map(), modelId).catch(() => null);
  if (!loaded) {
    counting.free();
    return undefined;
  }
  const probe = counting.countTokens(modelId, "");
  return {
    counter: {
      count: (text: string) => counting.countTokens(modelId, text).tokens,
      exact: probe.exact,
      describe: probe.tokenizer,
    },
    dispose: () => counting.free(),
  };
}

/** The report as plain text: PASS or FAIL, the format, the sample count, errors with lines. */
export function formatValidation(file: string, report: ValidationReport): string {
  const lines = [report.passed ? `PASS  ${file}` : `FAIL  ${file}: ${report.message}`];
  lines.push(`  format   ${report.format ?? "-"}`, `  samples  ${report.samples}`);
  const { tokens } = report;
  if (tokens) {
    const limit = tokens.limit == null ? "no limit" : `limit ${tokens.limit}`;
    const over = tokens.overLimit ? `, ${tokens.overLimit} over` : "";
    lines.push(
      `  tokens   longest ${tokens.max}, total ${tokens.total} (${tokens.exact ? "exact" : "estimated"}; ${limit}${over})`,
    );
  }
  if (!report.passed) {
    lines.push(`  errors   ${report.errorCount}`);
    for (const error of report.errors) lines.push(`    ${error.line == null ? "file" : `line ${error.line}`}: ${error.message}`);
    if (report.errorsTruncated) lines.push(`    ... and ${report.errorCount - report.errors.length} more`);
  }
  return `${lines.join("\n")}\n`;
}
