import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

import { Selftune, createMemoryHost, createNodeHost, redactText } from "selftune";
import { fakeToken, pluginEvent, runCli, tempDir } from "./support/helpers.mjs";

test("forget removes an example from disk for good", async (t) => {
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir }));
  const kept = await selftune.onPluginSuccess(pluginEvent("keep this one"));
  const gone = await selftune.onPluginSuccess(pluginEvent("forget this one"));

  assert.deepEqual(await selftune.forget(gone.exampleId), { forgotten: true, exampleId: gone.exampleId, removedLines: 1 });
  const [partition] = await readdir(join(dataDir, "examples"));
  const text = await readFile(join(dataDir, "examples", partition), "utf8");
  assert.ok(!text.includes("forget this one") && text.includes(kept.exampleId));
  assert.deepEqual(await selftune.onPluginSuccess(pluginEvent("forget this one")), { stored: false, reason: "forgotten" });
  assert.equal((await selftune.forget(gone.exampleId)).reason, "not_found");
  await assert.rejects(selftune.forget(""), { name: "SelftuneError", code: "invalid_argument" });
});

test("retention drops old days", async () => {
  const host = createMemoryHost({ now: Date.UTC(2026, 10, 1, 12) });
  const selftune = await Selftune.create(host, { retentionDays: 3 });
  await selftune.onPluginSuccess(pluginEvent("old"));
  host.advance(5 * 86_400_000);
  await selftune.onPluginSuccess(pluginEvent("new"));
  assert.deepEqual([...host.storage.files.keys()].filter((p) => p.startsWith("examples/")), ["examples/2026-11-06.jsonl"]);
  assert.deepEqual(await selftune.applyRetention(), { removedPartitions: [], removedExamples: 0 });
  const pruned = (await selftune.audit()).filter((entry) => entry.op === "pruned");
  assert.deepEqual(pruned.map((entry) => entry.partition), ["2026-11-01"]);
});

test("redactText is exported for callers' own text", () => {
  const fakeKey = ["ghp", "_", fakeToken(36)].join("");
  const { text, counts } = redactText(`const token = "${fakeKey}";`);
  assert.equal(text, 'const token = "<REDACTED:github_token>";');
  assert.deepEqual(counts, { github_token: 1 });
  assert.equal(redactText("write to ops@example.org", undefined, { redactEmails: false }).text, "write to ops@example.org");
  assert.throws(() => redactText("x", undefined, { redactEmail: false }), { code: "invalid_config" });
});

test("the CLI prints the audit log and forgets by id", async (t) => {
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir }));
  const { exampleId } = await selftune.onPluginSuccess(pluginEvent("audited"));

  const forget = await runCli(["forget", exampleId, "--data-dir", dataDir]);
  assert.equal(forget.code, 0, forget.stderr);
  assert.match(forget.stdout, new RegExp(`Forgot ${exampleId}`));
  assert.equal((await runCli(["forget", exampleId, "--data-dir", dataDir])).code, 1);

  const text = await runCli(["audit", "--data-dir", dataDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /stored +exampleId=ex_\w+ kind=plugin/);
  assert.match(text.stdout, /forgotten +exampleId=/);
  const json = JSON.parse((await runCli(["audit", "--json", "--limit", "1", "--data-dir", dataDir])).stdout);
  assert.equal(json.entries.length, 1);
  assert.equal(json.entries[0].op, "forgotten");
  assert.equal((await runCli(["audit", "--limit", "zero"])).code, 2);
});
