// `selftune validate` and `validateFile` against the built package: exit codes, the text and
// JSON reports, line numbers across read chunks, UTF-8, token limits, and the builder's files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { tokenizerSource, validateFile } from "../dist/index.js";
import { SAMPLES, runCli, tempDir } from "./support/helpers.mjs";

const SMALL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";

function instruction(user, answer, reasoning = "") {
  return {
    prompt: `<｜User｜>${user}<｜Assistant｜>`,
    completion: `<think>\n${reasoning}\n</think>\n\n${answer}<｜end▁of▁sentence｜>`,
  };
}

const jsonl = (lines) => lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n";

async function fileWith(t, name, contents) {
  const path = join(await tempDir(t), name);
  await writeFile(path, contents);
  return path;
}

test("a good file passes: exit 0, PASS, the format and the sample count", async (t) => {
  const path = await fileWith(t, "good.jsonl", jsonl([instruction("Write a plugin", "export {};"), "", instruction("Another", "ok", "why")]));
  const text = await runCli(["validate", path]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^PASS {2}.*good\.jsonl$/m);
  assert.match(text.stdout, /format {3}instruction/);
  assert.match(text.stdout, /samples {2}2/);

  const json = await runCli(["validate", path, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.passed, true);
  assert.equal(report.message, "Checks passed");
  assert.equal(report.format, "instruction");
  assert.equal(report.samples, 2);
  assert.deepEqual(report.errors, []);
  assert.equal(report.errorsTruncated, false);
  assert.equal(report.tokens, null);
});

test("a bad file fails: exit 1 and every error with its line number", async (t) => {
  const path = await fileWith(
    t,
    "bad.jsonl",
    jsonl([
      { messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] },
      { messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }, { role: "assistant", content: "c" }] },
      "",
      "{ not json",
      { messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a<|im_end|>", weight: 2 }], source: "log" },
      { prompt: "p", completion: "c" },
      { messages: [{ role: "user", content: "only a question" }] },
    ]),
  );
  const json = await runCli(["validate", path, "--json"]);
  assert.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.passed, false);
  assert.equal(report.format, "conversation");
  assert.equal(report.samples, 6);
  assert.deepEqual(
    report.errors.map((e) => [e.line, e.rule]),
    [
      [2, "role_order"],
      [4, "not_json"],
      [5, "unknown_key"],
      [5, "special_token"],
      [5, "message_weight"],
      [6, "mixed_formats"],
      [7, "no_assistant"],
    ],
  );
  assert.equal(report.errorCount, 7);
  assert.match(report.message, /^line 2: messages\[1\]: a user message cannot follow a user message/);
  assert.match(report.errors[2].message, /unknown top-level key "source"/);
  assert.match(report.errors[3].message, /messages\[1\]\.content contains the special-token string "<\|im_end\|>"/);
  assert.match(report.errors[5].message, /instruction format, but the file's format is conversation \(from line 1\)/);

  const text = await runCli(["validate", path]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /^FAIL {2}.*bad\.jsonl: line 2: /m);
  assert.match(text.stdout, /errors {3}7/);
  assert.match(text.stdout, /line 4: not valid JSON/);
  assert.match(text.stdout, /line 7: messages must include at least one assistant message/);
});

test("line numbers hold across read chunks, and a line that is not UTF-8 is reported", async (t) => {
  const filler = instruction("x".repeat(1000), "y".repeat(1000));
  const lines = Array.from({ length: 1500 }, () => JSON.stringify(filler)); // about 3 MB: several chunks
  lines[1200] = JSON.stringify(instruction("z".repeat(3_000_000), "long")); // one line over three chunks
  const bytes = [];
  for (const [i, line] of lines.entries()) {
    bytes.push(Buffer.from(line));
    if (i === 1300) bytes.push(Buffer.from([0xc3, 0x28])); // an invalid UTF-8 sequence inside line 1301
    bytes.push(Buffer.from("\n"));
  }
  bytes.push(Buffer.from(JSON.stringify({ text: "last line, no newline" })));
  const path = await fileWith(t, "big.jsonl", Buffer.concat(bytes));
  const report = await validateFile(path);
  assert.equal(report.samples, 1501);
  assert.deepEqual(
    report.errors.map((e) => [e.line, e.rule]),
    [
      [1301, "not_utf8"],
      [1501, "mixed_formats"],
    ],
  );
  const at = Buffer.byteLength(lines[1300]) + 1;
  assert.equal(report.errors[0].message, `the file is not UTF-8 encoded: invalid byte at byte ${at} of the line`);
});

test("blank files, a byte-order mark and CRLF line endings", async (t) => {
  const empty = await validateFile(await fileWith(t, "empty.jsonl", "\n\n"));
  assert.equal(empty.passed, false);
  assert.equal(empty.samples, 0);
  assert.deepEqual(empty.errors.map((e) => [e.line, e.rule]), [[null, "no_samples"]]);
  const bom = await validateFile(await fileWith(t, "bom.jsonl", `\ufeff${JSON.stringify({ text: "a" })}\n`));
  assert.deepEqual(bom.errors.map((e) => [e.line, e.rule]), [[1, "byte_order_mark"]]);
  const crlf = await validateFile(await fileWith(t, "crlf.jsonl", `${JSON.stringify({ text: "a" })}\r\n${JSON.stringify({ text: "b" })}\r\n`));
  assert.equal(crlf.passed, true, crlf.message);
  assert.equal(crlf.samples, 2);
});

test("--model applies the model's token limit and says whether counts are exact", async (t) => {
  const long = instruction("Write it", "const a = 1;\n".repeat(2_000));
  const path = await fileWith(t, "long.jsonl", jsonl([instruction("short", "ok"), long]));
  const { code, stdout, stderr } = await runCli(["validate", path, "--model", "deepseek-r1-distill-qwen-1.5b", "--json"]);
  assert.equal(code, 1, stderr);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.errors.map((e) => [e.line, e.rule]), [[2, "too_many_tokens"]]);
  const exact = tokenizerSource(SMALL)?.path != null;
  assert.equal(report.tokens.exact, exact);
  assert.equal(report.tokens.limit, 2048);
  assert.equal(report.tokens.overLimit, 1);
  assert.match(report.errors[0].message, new RegExp(`the sample has \\d+ tokens \\(${exact ? "exact count" : "estimate"}\\), over the limit of 2048`));
  assert.ok(report.tokens.max > 2048);

  // --max-tokens overrides the model's limit.
  const raised = JSON.parse((await runCli(["validate", path, "--model", SMALL, "--max-tokens", "100000", "--json"])).stdout);
  assert.equal(raised.passed, true, raised.message);
  assert.equal(raised.tokens.limit, 100000);

  const text = await runCli(["validate", path, "--max-tokens", "20"]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /tokens {3}longest \d+, total \d+ \(estimated; limit 20, 2 over\)/);
});

test("a custom counter counts, and its failures are errors", async (t) => {
  const path = await fileWith(t, "count.jsonl", jsonl([{ text: "abcd" }, { text: "abcdefgh" }]));
  const perChar = { count: (text) => [...text].length, exact: true, describe: "per character" };
  const report = await validateFile(path, { maxTokens: 25, counter: perChar });
  // bos (21 characters) + text
  assert.deepEqual(report.errors.map((e) => [e.line, e.message]), [[2, "the sample has 29 tokens (exact count), over the limit of 25"]]);
  assert.deepEqual(report.tokens, { max: 29, total: 54, exact: true, limit: 25, overLimit: 1, counter: "per character" });
  await assert.rejects(
    validateFile(path, { maxTokens: 5, counter: { count: () => { throw new Error("boom"); }, exact: true } }),
    (error) => error.name === "SelftuneError" && error.code === "invalid_argument" && /boom/.test(error.message),
  );
  await assert.rejects(validateFile(path, { maxTokens: 0 }), (error) => error.code === "invalid_argument");
});

test("bad usage exits 2; an unreadable file exits 1", async (t) => {
  const path = await fileWith(t, "x.jsonl", jsonl([{ text: "a" }]));
  for (const args of [["validate"], ["validate", path, "extra"], ["validate", path, "--max-tokens", "0"], ["validate", path, "--max-tokens", "ten"]]) {
    const { code, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, /Usage: selftune/);
  }
  const missing = await runCli(["validate", join(await tempDir(t), "nope.jsonl")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.jsonl/);
});

test("every file build-dataset writes passes validate for its model", async (t) => {
  const dataDir = join(await tempDir(t), "data");
  assert.equal((await runCli(["ingest", SAMPLES, "--data-dir", dataDir])).code, 0);
  const out = join(dataDir, "datasets");
  // The exit code says whether the builder's own checks passed, and it counts an empty split as a
  // failure (Together rejects an empty file); here each written file is checked on its own.
  const built = await runCli(["build-dataset", "--data-dir", dataDir, "--out", out, "--json"]);
  const manifest = JSON.parse(built.stdout);
  let checked = 0;
  for (const profile of manifest.profiles) {
    for (const file of await readdir(join(out, profile.name))) {
      const counts = profile.counts[file.replace(/\.jsonl$/, "")];
      if (!counts) continue; // an empty split is not uploaded
      const { code, stdout } = await runCli(["validate", join(out, profile.name, file), "--model", profile.model, "--json"]);
      const report = JSON.parse(stdout);
      assert.equal(code, 0, `${profile.name}/${file}: ${report.message}`);
      assert.equal(report.format, "instruction");
      assert.equal(report.samples, counts);
      checked += 1;
    }
  }
  assert.ok(checked >= 2, `only ${checked} files checked`);
});
