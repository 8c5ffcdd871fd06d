import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

import { FileStorage, Selftune, createNodeHost } from "selftune";
import { SAMPLES, runCli, tempDir } from "./support/helpers.mjs";

test("build-dataset writes both profiles and a manifest", async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, "data");
  assert.equal((await runCli(["ingest", SAMPLES, "--data-dir", dataDir])).code, 0);

  const text = await runCli(["build-dataset", "--data", dataDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Built datasets from 15 examples/);
  assert.match(text.stdout, /small +deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B \(instruction/);
  assert.match(text.stdout, /large +deepseek-ai\/DeepSeek-R1-Distill-Llama-70B \(instruction, with reasoning/);
  assert.deepEqual((await readdir(join(dataDir, "datasets"))).sort(), ["large", "manifest.json", "small"]);

  const out = join(dir, "out");
  const json = await runCli(["build-dataset", "--data", dataDir, "--out", out, "--json", "--seed", "7", "--over-length", "truncate"]);
  assert.equal(json.code, 0, json.stderr);
  const manifest = JSON.parse(json.stdout);
  assert.equal(manifest.options.seed, 7);
  assert.equal(manifest.options.overLength, "truncate");
  const onDisk = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
  assert.deepEqual(onDisk.profiles.map((p) => p.name), ["small", "large"]);
  for (const profile of onDisk.profiles) {
    assert.equal(profile.validated, true);
    assert.equal(profile.tokens.exact, manifest.profiles.find((p) => p.name === profile.name).tokens.exact);
    const lines = (await readFile(join(out, profile.files.train), "utf8")).trim().split("\n");
    assert.equal(lines.length, profile.counts.train);
  }
  assert.equal(await readdir(join(out, ".spool", "large")).then((files) => files.length, () => 0), 0, "the spool is cleaned up");

  for (const args of [["build-dataset", "--seed", "-1"], ["build-dataset", "--over-length", "squash"], ["build-dataset", "extra"]]) {
    assert.equal((await runCli([...args, "--data", dataDir])).code, 2, args.join(" "));
  }
});

test("buildDataset writes to a storage of the caller's choosing", async (t) => {
  const dir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir: join(dir, "data") }));
  for (const line of (await readFile(SAMPLES, "utf8")).trim().split("\n")) {
    const { event, payload } = JSON.parse(line);
    await (event === "mcp-success" ? selftune.onMcpSuccess(payload) : selftune.onPluginSuccess(payload)).catch(() => {});
  }
  const manifest = await selftune.buildDataset({ profiles: [{ name: "tiny", model: "deepseek-r1-distill-qwen-1.5b", maxTokens: 4096, reasoning: true, format: "reasoning_field" }] }, new FileStorage(join(dir, "out")));
  const [profile] = manifest.profiles;
  assert.equal(profile.model, "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B");
  assert.equal(profile.format, "reasoning_field");
  const line = JSON.parse((await readFile(join(dir, "out", "tiny", "train.jsonl"), "utf8")).split("\n")[0]);
  assert.equal(line.messages[1].role, "assistant");
  assert.match(line.messages[1].reasoning, /^1\. Requirements analysis/);
  await assert.rejects(selftune.buildDataset({ minQuality: 3 }), { code: "invalid_argument" });
  const audit = await selftune.audit();
  assert.equal(audit.at(-1).op, "dataset_built");
});
