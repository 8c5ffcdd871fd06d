import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFile, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { Selftune, createMemoryHost, createNodeHost } from "selftune";
import { pluginEvent, tempDir } from "./support/helpers.mjs";

const CHILD = fileURLToPath(new URL("./support/append-until-killed.mjs", import.meta.url));

/** Starts the child, waits for `count` acknowledged events, then kills it with SIGKILL. */
function appendThenKill(dataDir, count) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir], { stdio: ["ignore", "pipe", "inherit"] });
    const acknowledged = [];
    let pending = "";
    child.stdout.on("data", (chunk) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop();
      acknowledged.push(...lines);
      if (acknowledged.length >= count) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child ended on its own (code ${code})`));
      else resolve(acknowledged);
    });
  });
}

async function logLines(dataDir) {
  const lines = [];
  for (const name of await readdir(join(dataDir, "examples"))) {
    const text = await readFile(join(dataDir, "examples", name), "utf8");
    lines.push(...text.split("\n").filter((line) => line !== ""));
  }
  return lines;
}

test("a process killed in the middle of appends leaves a readable log", async (t) => {
  const dataDir = await tempDir(t);
  const acknowledged = await appendThenKill(dataDir, 40);

  const selftune = await Selftune.create(createNodeHost({ dataDir, logger: () => {} }));
  const before = await selftune.stats();
  // Every event acknowledged before the kill was fsynced, so it is there.
  assert.ok(before.examples >= acknowledged.length, `${before.examples} < ${acknowledged.length}`);
  assert.ok(before.skippedLines <= 1, `skipped ${before.skippedLines}`);

  const stored = await selftune.onPluginSuccess(pluginEvent("Build a plugin after the crash"));
  assert.equal(stored.stored, true);
  const after = await selftune.stats();
  assert.equal(after.examples, before.examples + 1);
  assert.equal(after.skippedLines, before.skippedLines);

  const ids = (await logLines(dataDir))
    .map((line) => {
      try {
        return JSON.parse(line).id;
      } catch {
        return undefined;
      }
    })
    .filter(Boolean);
  for (const id of acknowledged) assert.ok(ids.includes(id), `${id} was acknowledged but is missing`);
  assert.ok(ids.includes(stored.exampleId));
});

test("a torn last line is skipped with a warning and never hides what comes after", async (t) => {
  const dataDir = await tempDir(t);
  const first = await Selftune.create(createNodeHost({ dataDir }));
  await first.onPluginSuccess(pluginEvent("one"));
  await first.onPluginSuccess(pluginEvent("two"));
  const [partition] = await readdir(join(dataDir, "examples"));
  // What a crash half-way through a write leaves behind.
  await appendFile(join(dataDir, "examples", partition), '{"type":"example","id":"ex_12","req');

  const warnings = [];
  const host = createNodeHost({ dataDir, logger: (level, message) => warnings.push(`${level} ${message}`) });
  const second = await Selftune.create(host);
  assert.equal((await second.onPluginSuccess(pluginEvent("three"))).stored, true);
  const stats = await second.stats();
  assert.equal(stats.examples, 3);
  assert.equal(stats.skippedLines, 1);
  assert.ok(warnings.some((w) => w.startsWith("warn") && w.includes("line 3")), warnings.join("\n"));

  const lines = await logLines(dataDir);
  assert.equal(lines.length, 4);
  assert.equal(JSON.parse(lines[3]).request, "three");
});

test("the memory host reports the same torn-line warning", async () => {
  const host = createMemoryHost({ now: Date.UTC(2026, 10, 26, 12) });
  host.storage.files.set("examples/2026-11-26.jsonl", '{"type":"exam');
  const selftune = await Selftune.create(host);
  await selftune.onPluginSuccess(pluginEvent("after"));
  const stats = await selftune.stats();
  assert.equal(stats.examples, 1);
  assert.equal(stats.skippedLines, 1);
  assert.ok(host.logs.some((entry) => entry.level === "warn" && entry.message.includes("torn")));
});
