// Token counting throughput on one corpus, side by side: the Rust core natively (cargo bench) and
// in wasm under Node, against @lenml/tokenizers (JS) and Hugging Face `tokenizers` (Python, Rust
// inside) over the same tokenizer.json files. Also checks that all four count the same tokens.
//
//   node js/bench/tokens.mjs [--no-native] [--no-hf]
//
// The corpus (js/tests/support/tokens.mjs `benchCorpus`) is code: the sample plugins and MCP
// servers, this repository's sources, the ElizaOS and MCP SDK declarations and sources, READMEs;
// each file once, cut into ~4 KB documents, counted one call per document. Every run starts from a
// freshly built tokenizer (empty caches) and the median of the runs is reported. The machine is
// shared: read the figures as medians of a noisy machine, not as peaks.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Selftune, createMemoryHost } from "selftune";
import {
  LLAMA,
  QWEN,
  REPO,
  agreementSamples,
  benchCorpus,
  hfOnlySamples,
  modelTokenizerJson,
  referenceTokenizer,
} from "../tests/support/tokens.mjs";

const RUNS = 7;
const REFERENCE_RUNS = 3; // the references are an order of magnitude slower
const args = new Set(process.argv.slice(2));

const docs = benchCorpus();
const bytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(doc), 0);
const dir = mkdtempSync(join(tmpdir(), "selftune-tokens-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const corpusPath = join(dir, "corpus.json");
writeFileSync(corpusPath, JSON.stringify(docs));

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

function time(fn) {
  const started = process.hrtime.bigint();
  const result = fn();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function wasmRuns(model) {
  const rates = [];
  let tokens = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const selftune = await Selftune.create(createMemoryHost());
    if (!(await selftune.loadTokenizer(model))) throw new Error(`no vocabulary installed for ${model}`);
    const started = process.hrtime.bigint();
    tokens = 0;
    for (const doc of docs) tokens += (await selftune.countTokens(model, doc)).tokens;
    rates.push(tokens / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  return { tokens, rates };
}

async function referenceRuns(model) {
  const rates = [];
  let tokens = 0;
  for (let run = 0; run < REFERENCE_RUNS; run += 1) {
    const reference = await referenceTokenizer(model);
    const timed = time(() => docs.reduce((sum, doc) => sum + reference.count(doc), 0));
    tokens = timed.result;
    rates.push(tokens / timed.seconds);
  }
  return { tokens, rates };
}

function hfRuns(model, textsPath = corpusPath, runs = REFERENCE_RUNS) {
  const tokenizerPath = join(dir, `${model.replace("/", "_")}.json`);
  writeFileSync(tokenizerPath, JSON.stringify(modelTokenizerJson(model)));
  const run = spawnSync("python3", [join(REPO, "js/bench/tokens-hf.py"), tokenizerPath, textsPath, String(runs)], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: { ...process.env, TOKENIZERS_PARALLELISM: "false", RAYON_NUM_THREADS: "1" },
  });
  if (run.status !== 0) return { skipped: (run.stderr || run.error?.message || "python3 failed").trim() };
  const out = JSON.parse(run.stdout);
  const tokens = out.counts.reduce((a, b) => a + b, 0);
  return { tokens, counts: out.counts, rates: out.seconds.map((s) => tokens / s), version: out.version };
}

function nativeRuns() {
  const run = spawnSync("cargo", ["bench", "--quiet", "--bench", "tokens"], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, SELFTUNE_TOKENS_CORPUS: corpusPath, SELFTUNE_TOKENS_JSON: "1" },
  });
  if (run.status !== 0) return { skipped: (run.stderr || "cargo bench failed").trim().split("\n").slice(-3).join(" ") };
  const byModel = {};
  for (const line of run.stdout.split("\n").filter((l) => l.startsWith("{"))) {
    const result = JSON.parse(line);
    byModel[result.model] = { tokens: result.tokens, rates: result.tokensPerSecond };
  }
  return byModel;
}

const native = args.has("--no-native") ? { skipped: "--no-native" } : nativeRuns();
console.log(`Token counting on ${docs.length} documents, ${(bytes / 1e6).toFixed(2)} MB of code; median tokens/s of fresh tokenizers`);
for (const model of [QWEN, LLAMA]) {
  const rows = [
    ["selftune, native Rust", native.skipped ? native : (native[model] ?? { skipped: "no result" }), RUNS],
    ["selftune, wasm in Node", await wasmRuns(model), RUNS],
    ["@lenml/tokenizers 3.7.2 (JS)", await referenceRuns(model), REFERENCE_RUNS],
    [null, args.has("--no-hf") ? { skipped: "--no-hf" } : hfRuns(model), REFERENCE_RUNS],
  ];
  rows[3][0] = `HF tokenizers ${rows[3][1].version ?? ""} (Python)`.replace("  ", " ");
  console.log(`\n${model}`);
  const expected = rows[1][1].tokens;
  for (const [name, result, runs] of rows) {
    if (result.skipped) {
      console.log(`  ${name.padEnd(34)} skipped: ${result.skipped}`);
      continue;
    }
    const m = median(result.rates);
    const agree = result.tokens === expected ? "same count" : `COUNT DIFFERS: ${result.tokens} vs ${expected}`;
    console.log(
      `  ${name.padEnd(34)} ${(m / 1e6).toFixed(2).padStart(6)} M tokens/s  ${((m * bytes) / result.tokens / 1e6).toFixed(1).padStart(5)} MB/s  (${runs} runs, min ${(Math.min(...result.rates) / 1e6).toFixed(2)}, max ${(Math.max(...result.rates) / 1e6).toFixed(2)})  ${result.tokens} tokens, ${agree}`,
    );
  }
}

// Agreement with HF on every sample of the JS agreement test, and on the characters where the JS
// reference itself differs from HF (hfOnlySamples).
if (!args.has("--no-hf")) {
  const samples = [...agreementSamples(), ...hfOnlySamples()];
  const samplesPath = join(dir, "samples.json");
  writeFileSync(samplesPath, JSON.stringify(samples.map((sample) => sample.text)));
  console.log(`\nAgreement with HF tokenizers on ${samples.length} samples (code, prose, Unicode, special tokens, random strings)`);
  for (const model of [QWEN, LLAMA]) {
    const hf = hfRuns(model, samplesPath, 0);
    if (hf.skipped) {
      console.log(`  ${model}: skipped: ${hf.skipped}`);
      continue;
    }
    const selftune = await Selftune.create(createMemoryHost());
    const differ = [];
    for (const [i, sample] of samples.entries()) {
      const ours = (await selftune.countTokens(model, sample.text)).tokens;
      if (ours !== hf.counts[i]) differ.push(`${sample.name} (${ours} vs ${hf.counts[i]})`);
    }
    console.log(`  ${model}: ${differ.length} of ${samples.length} differ${differ.length ? `: ${differ.slice(0, 10).join(", ")}` : ""}`);
  }
}
