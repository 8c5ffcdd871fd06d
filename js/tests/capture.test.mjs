import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

import { Selftune, createMemoryHost, createNodeHost, isSelftuneError } from "selftune";
import { pluginEvent, tempDir } from "./support/helpers.mjs";

test("a plugin event is stored and scored", async () => {
  const selftune = await Selftune.create(createMemoryHost());
  const result = await selftune.onPluginSuccess(pluginEvent("Build a weather plugin", 4));
  assert.equal(result.stored, true);
  assert.match(result.exampleId, /^ex_[0-9a-f]{16}$/);
  assert.equal(result.quality.score, 1);
  assert.deepEqual(result.quality.components, {
    base: 0.5,
    successfulCompletion: 0.3,
    multipleFiles: 0.1,
    fastExecution: 0.1,
    manyFiles: 0.1,
  });
});

test("an MCP event is stored; an unsuccessful one is not", async () => {
  const host = createMemoryHost();
  const selftune = await Selftune.create(host);
  const stored = await selftune.onMcpSuccess({
    originalRequest: "An MCP server with a dice tool",
    outcome: {
      success: true,
      mcpName: "dice",
      tools: ["roll"],
      files: [{ path: "src/index.ts", content: "export {};\n" }],
    },
  });
  assert.equal(stored.stored, true);
  const skipped = await selftune.onMcpSuccess({
    originalRequest: "Another",
    outcome: { success: false, files: [] },
  });
  assert.deepEqual(skipped, { stored: false, reason: "not_successful" });
  const stats = await selftune.stats();
  assert.equal(stats.examples, 1);
  assert.deepEqual(stats.byKind, { mcp: 1 });
});

test("a duplicate is reported with the original's id and counted", async () => {
  const selftune = await Selftune.create(createMemoryHost());
  const first = await selftune.onPluginSuccess(pluginEvent("Build a weather plugin"));
  const second = await selftune.onPluginSuccess(pluginEvent("  Build a   weather plugin\n"));
  assert.deepEqual(second, { stored: false, reason: "duplicate", exampleId: first.exampleId });
  const stats = await selftune.stats();
  assert.equal(stats.examples, 1);
  assert.equal(stats.duplicates, 1);
});

test("bad events throw a SelftuneError naming the field, and nothing is stored", async () => {
  const host = createMemoryHost();
  const selftune = await Selftune.create(host);
  const cases = [
    [{ ...pluginEvent("x"), originalRequest: "" }, "originalRequest"],
    [{ ...pluginEvent("x"), outcome: { success: true, files: [] } }, "outcome.files"],
    [pluginEvent("x", 1, { outcome: { success: true, files: [{ path: "/etc/hosts", content: "" }] } }), "outcome.files[0].path"],
    [pluginEvent("x", 1, { outcome: { success: true, files: [{ path: "a/../../b", content: "" }] } }), "outcome.files[0].path"],
    [pluginEvent("x", 1, { outcome: { success: true, files: [{ path: "a", content: "1" }, { path: "./a", content: "2" }] } }), "outcome.files[1].path"],
    [pluginEvent("x", 1, { outcome: { success: true, files: [{ path: "a", content: "a\0b" }] } }), "outcome.files[0].content"],
    [pluginEvent("x", 1, { outcome: { success: true, files: [{ path: "a", content: "x".repeat(256 * 1024 + 1) }] } }), "outcome.files[0].content"],
    [null, "event"],
    [undefined, "event"],
    ["just a string", "event"],
  ];
  for (const [event, field] of cases) {
    await assert.rejects(selftune.onPluginSuccess(event), (error) => {
      assert.ok(error instanceof Error);
      assert.ok(isSelftuneError(error));
      assert.equal(error.name, "SelftuneError");
      assert.equal(error.code, "invalid_event");
      assert.equal(error.field, field, error.message);
      assert.ok(error.message.includes(field), error.message);
      return true;
    });
  }
  const circular = pluginEvent("x");
  circular.outcome.self = circular;
  await assert.rejects(selftune.onPluginSuccess(circular), { code: "invalid_event", field: "event" });
  assert.deepEqual([...host.storage.files.keys()].filter((path) => path.startsWith("examples/")), []);
});

test("configuration is validated and applied", async () => {
  const selftune = await Selftune.create(createMemoryHost(), { maxFileBytes: 16 });
  assert.deepEqual(selftune.config(), {
    maxFileBytes: 16,
    maxEventBytes: 2 * 1024 * 1024,
    retentionDays: null,
    redactEmails: true,
    redactPhoneNumbers: true,
  });
  await assert.rejects(
    selftune.onPluginSuccess(pluginEvent("x", 1, { outcome: { success: true, files: [{ path: "a", content: "x".repeat(17) }] } })),
    { code: "invalid_event", field: "outcome.files[0].content" },
  );
  await assert.rejects(Selftune.create(createMemoryHost(), { maxFileByts: 1 }), (error) => {
    assert.equal(error.code, "invalid_config");
    assert.match(error.message, /maxFileByts/);
    return true;
  });
});

test("a host missing a member is refused with its name", async () => {
  const host = createMemoryHost();
  const { storage } = host;
  host.storage = {
    read: (path) => storage.read(path),
    write: (path, contents) => storage.write(path, contents),
    list: (dir) => storage.list(dir),
    remove: (path) => storage.remove(path),
  };
  await assert.rejects(Selftune.create(host), { code: "invalid_host", message: /host\.storage\.append/ });
});

test("a hundred concurrent events on disk are each stored exactly once", async (t) => {
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir }));
  const events = Array.from({ length: 200 }, (_, i) => pluginEvent(`Build plugin number ${i % 100}`, 3));
  const results = await Promise.all(events.map((event) => selftune.onPluginSuccess(event)));
  assert.equal(results.filter((r) => r.stored).length, 100);
  assert.equal(results.filter((r) => r.reason === "duplicate").length, 100);

  const records = [];
  for (const name of await readdir(join(dataDir, "examples"))) {
    const text = await readFile(join(dataDir, "examples", name), "utf8");
    records.push(...text.trimEnd().split("\n").map((line) => JSON.parse(line)));
  }
  const ids = records.filter((r) => r.type === "example").map((r) => r.id);
  assert.equal(ids.length, 100);
  assert.equal(new Set(ids).size, 100);

  // A new handle over the same folder sees the same log.
  const reopened = await Selftune.create(createNodeHost({ dataDir }));
  const stats = await reopened.stats();
  assert.equal(stats.examples, 100);
  assert.equal(stats.duplicates, 100);
  assert.equal(stats.skippedLines, 0);
});
