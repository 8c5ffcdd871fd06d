import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { SAMPLES, pluginEvent, runCli, tempDir } from "./support/helpers.mjs";

test("ingest reports stored, duplicates and rejections by reason", async (t) => {
  const dir = await tempDir(t);
  const events = join(dir, "events.jsonl");
  const good = pluginEvent("Build a weather plugin");
  await writeFile(
    events,
    [
      JSON.stringify({ event: "plugin-success", payload: good }),
      JSON.stringify({ event: "plugin-success", payload: { ...good, id: "again" } }),
      JSON.stringify({ event: "mcp-success", payload: { originalRequest: "x", outcome: { success: false, files: [] } } }),
      JSON.stringify({ event: "plugin-success", payload: { ...good, originalRequest: "" } }),
      "{ not json",
      JSON.stringify({ event: "plugin-created", payload: good }),
      "",
    ].join("\n"),
  );
  const dataDir = join(dir, "data");
  const json = await runCli(["ingest", events, "--json", "--data-dir", dataDir]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.events, 6);
  assert.equal(report.stored, 1);
  assert.equal(report.duplicates, 1);
  assert.deepEqual(report.rejected, { not_successful: 1, invalid_event: 1, invalid_json: 1, unknown_event: 1 });
  assert.deepEqual(report.problems.map((p) => p.line), [3, 4, 5, 6]);
  assert.match(report.problems[1].message, /originalRequest/);

  const text = await runCli(["ingest", events], { env: { TRAINING_DATA_DIR: dataDir } });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /stored {6}0/);
  assert.match(text.stdout, /duplicates {2}2/);
  assert.match(text.stdout, /line 4: invalid_event: invalid event: originalRequest: must not be empty/);
});

test("stats summarizes the log, in text and JSON", async (t) => {
  const dataDir = await tempDir(t);
  assert.equal((await runCli(["ingest", SAMPLES, "--data-dir", dataDir])).code, 0);
  const json = await runCli(["stats", "--json", "--data-dir", dataDir]);
  assert.equal(json.code, 0, json.stderr);
  const stats = JSON.parse(json.stdout);
  assert.ok(stats.examples >= 10, `only ${stats.examples} examples in the samples`);
  assert.ok(stats.byKind.plugin > 0 && stats.byKind.mcp > 0);
  assert.ok(stats.duplicates >= 1);
  const text = await runCli(["stats", "--data-dir", dataDir]);
  assert.match(text.stdout, new RegExp(`examples +${stats.examples}`));
});

test("demo ingests the samples into a fresh folder", async (t) => {
  const dataDir = join(await tempDir(t), "demo");
  // Without a key: the demo refuses to run when one is set (see demo.test.mjs).
  const env = { TOGETHER_API_KEY: undefined, TOGETHER_AI_API_KEY: undefined };
  const { code, stdout, stderr } = await runCli(["demo", "--json", "--data-dir", dataDir], { env });
  assert.equal(code, 0, stderr);
  const demo = JSON.parse(stdout);
  assert.ok(demo.ingest.stored >= 10);
  assert.equal(demo.stats.examples, demo.ingest.stored);
  assert.equal(demo.ingest.rejected.not_successful, 1);
  assert.equal(demo.dataDir, dataDir);
});

test("bad usage exits 2 with the usage text; a failed job exits 1", async (t) => {
  for (const args of [[], ["frobnicate"], ["ingest"], ["stats", "extra"], ["ingest", "--bogus", "x"]]) {
    const { code, stderr, stdout } = await runCli(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr + stdout, /Usage: selftune/);
  }
  assert.equal((await runCli(["help"])).code, 0);
  const missing = await runCli(["ingest", join(await tempDir(t), "nope.jsonl")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.jsonl/);
});
