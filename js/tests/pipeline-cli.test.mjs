// `selftune launch`, `status`, `status --watch`, `cancel` and `resume` against the emulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { Selftune, createNodeHost, startEmulator } from "selftune";
import { runCli, tempDir } from "./support/helpers.mjs";
import { FAKE_KEY, fillLog, pipelineConfig } from "./support/pipeline.mjs";

async function setUp(t, speed) {
  const emulator = await startEmulator({ speed });
  t.after(() => emulator.close());
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir, logger: () => {} }));
  await fillLog(selftune, 12);
  const configFile = join(dataDir, "pipeline.json");
  await writeFile(configFile, JSON.stringify(pipelineConfig()));
  const env = { TOGETHER_BASE_URL: emulator.baseUrl, TOGETHER_API_KEY: FAKE_KEY, TOGETHER_AI_API_KEY: "" };
  return { emulator, dataDir, configFile, env };
}

async function everythingStored(dir) {
  let text = "";
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) text += await readFile(join(entry.parentPath ?? entry.path, entry.name), "utf8");
  }
  return text;
}

test("launch drives a pipeline to the end with progress, and status reads it", async (t) => {
  const { dataDir, configFile, env } = await setUp(t, 300);
  const launch = await runCli(["launch", "--config", configFile, "--data-dir", dataDir, "--max-delay-ms", "10"], { env });
  assert.equal(launch.code, 0, launch.stderr);
  const id = /launched pipeline (pl_[0-9a-f]{12})/.exec(launch.stdout)?.[1];
  assert.ok(id, launch.stdout);
  assert.match(launch.stdout, /\[#{20}\] 100%  completed/);
  assert.match(launch.stdout, /small running \d+\/\d+ loss \d\.\d{3}/, "the loss as it falls");
  assert.match(launch.stdout, /pipeline pl_\w+ \(emulator run\): completed/);

  const status = await runCli(["status", id, "--json", "--data-dir", dataDir]);
  assert.equal(status.code, 0);
  const parsed = JSON.parse(status.stdout);
  assert.equal(parsed.status, "completed");
  assert.equal(parsed.currentPhase, "completed");
  assert.ok(parsed.eventsSeen > 0);
  assert.ok(parsed.trainingLoss.small > 0 && parsed.validationLoss.large > 0);
  const list = await runCli(["status", "--data-dir", dataDir]);
  assert.match(list.stdout, new RegExp(`${id}  completed`));
  // The key was in the environment only.
  assert.ok(!(await everythingStored(dataDir)).includes(FAKE_KEY), "the API key reached storage");
});

test("cancel stops a running pipeline; status --watch follows one to its end", async (t) => {
  const { emulator, dataDir, configFile, env } = await setUp(t, 30);
  const launch = await runCli(["launch", "--config", configFile, "--detach", "--json", "--data-dir", dataDir], { env });
  assert.equal(launch.code, 0, launch.stderr);
  const { id } = JSON.parse(launch.stdout);
  const watch = runCli(["status", id, "--watch", "--interval-ms", "20", "--data-dir", dataDir]);
  // Drive it in another process until both jobs exist, then cancel from a third.
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("./support/helpers.mjs");
  const driver = spawn(process.execPath, [CLI, "resume", id, "--data-dir", dataDir, "--max-delay-ms", "10"], {
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
  const driverDone = new Promise((resolve) => driver.on("close", resolve));
  while (emulator.requests.filter((r) => r.method === "POST" && r.path === "/v1/fine-tunes").length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const cancel = await runCli(["cancel", id, "--data-dir", dataDir], { env });
  assert.equal(cancel.code, 0, cancel.stderr + cancel.stdout);
  assert.match(cancel.stdout, /: cancelled/);
  assert.equal(await driverDone, 1, "the driver sees the pipeline end cancelled");
  const watched = await watch;
  assert.equal(watched.code, 1);
  assert.match(watched.stdout, /training/);
  assert.match(watched.stdout, /: cancelled/);
  const cancels = emulator.requests.filter((r) => r.method === "POST" && r.path.endsWith("/cancel"));
  assert.equal(cancels.length, 2);
});

test("bad usage exits 2; an unknown pipeline exits 1", async (t) => {
  const dataDir = await tempDir(t);
  assert.equal((await runCli(["launch", "--data-dir", dataDir])).code, 2);
  assert.equal((await runCli(["cancel", "--data-dir", dataDir])).code, 2);
  assert.equal((await runCli(["status", "--watch", "--data-dir", dataDir])).code, 2);
  const missing = await runCli(["status", "pl_000000000000", "--data-dir", dataDir]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no pipeline has the id/);
  const configFile = join(dataDir, "bad.json");
  await writeFile(configFile, JSON.stringify({ deployment: {} }));
  const bad = await runCli(["launch", "--config", configFile, "--data-dir", dataDir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /deployment\.budget is required/);
});
