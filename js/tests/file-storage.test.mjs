import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

import { FileStorage, createNodeHost, defaultDataDir, DEFAULT_DATA_DIR } from "selftune";
import { tempDir } from "./support/helpers.mjs";

test("read, write, append, list and remove on disk", async (t) => {
  const root = await tempDir(t);
  const storage = new FileStorage(root);
  assert.equal(await storage.read("state/p1.json"), null);
  assert.deepEqual(await storage.list("state"), []);

  await storage.write("state/p1.json", '{"v":1}');
  await storage.write("state/p1.json", '{"v":2}');
  assert.equal(await storage.read("state/p1.json"), '{"v":2}');
  // The atomic replace leaves no temporary files behind.
  assert.deepEqual(await readdir(join(root, "state")), ["p1.json"]);

  await storage.append("logs/a.jsonl", "one\n");
  await storage.append("logs/a.jsonl", "two\n");
  assert.equal(await readFile(join(root, "logs", "a.jsonl"), "utf8"), "one\ntwo\n");

  await storage.write("state/b.json", "{}");
  await storage.write("state/nested/c.json", "{}");
  assert.deepEqual(await storage.list("state"), ["b.json", "p1.json"]);

  await storage.remove("state/b.json");
  await storage.remove("state/b.json"); // already gone: not an error
  assert.deepEqual(await storage.list("state"), ["p1.json"]);
});

test("paths that could leave the data folder are refused", async (t) => {
  const storage = new FileStorage(await tempDir(t));
  for (const path of ["../escape.txt", "a/../../b", "/etc/passwd", "", "a//b", "a\\b", "./a"]) {
    await assert.rejects(storage.write(path, "x"), { name: "SelftuneError", code: "io" }, path);
  }
});

test("concurrent appends to one file never interleave", async (t) => {
  const root = await tempDir(t);
  const storage = new FileStorage(root);
  const lines = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, "0")}:${"x".repeat(20_000)}\n`);
  await Promise.all(lines.map((line) => storage.append("log.jsonl", line)));
  const written = (await readFile(join(root, "log.jsonl"), "utf8")).split("\n").filter(Boolean);
  assert.equal(written.length, 100);
  assert.deepEqual(written.sort(), lines.map((line) => line.trimEnd()).sort());
});

test("the data folder comes from TRAINING_DATA_DIR, else ./training-data", () => {
  assert.equal(defaultDataDir({ TRAINING_DATA_DIR: "/srv/selftune" }), "/srv/selftune");
  assert.equal(defaultDataDir({}), DEFAULT_DATA_DIR);
  assert.equal(DEFAULT_DATA_DIR, "./training-data");
  const host = createNodeHost({ dataDir: "relative-dir" });
  assert.equal(host.storage.root, join(process.cwd(), "relative-dir"));
});
