// Real processes killed around every external effect of a pipeline (each upload and each job
// creation): before it reaches Together, while Together performs it (the answer is lost), and
// just after it. Each time a new process resumes the pipeline; it completes, and the emulator
// created exactly one job per model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { Selftune, createNodeHost, startEmulator } from "selftune";
import { CLI, runCli, tempDir } from "./support/helpers.mjs";
import { FAKE_KEY, creationsBySuffix, fillLog, pipelineConfig } from "./support/pipeline.mjs";

const EFFECTS = new Set(["POST /v1/files/upload", "POST /v1/fine-tunes"]);
const isEffect = (request) => EFFECTS.has(`${request.method} ${request.path}`);

const performed = (emulator) => emulator.requests.filter((r) => isEffect(r) && r.status >= 200 && r.status < 300).length;

/**
 * Runs `selftune resume ID` until it exits by itself. Run k (from 0) is killed with SIGKILL
 * around the (k+1)-th effect Together performs: `before` drops that request and kills, `lost`
 * kills as the request arrives (Together performs it; the answer is lost), `after` kills on the
 * first request after it. Returns the kills made.
 */
async function resumeWithKills(emulator, dataDir, id, mode) {
  const env = { TOGETHER_BASE_URL: emulator.baseUrl, TOGETHER_API_KEY: FAKE_KEY, TOGETHER_AI_API_KEY: "" };
  let kills = 0;
  for (let run = 0; run < 20; run += 1) {
    const child = spawn(process.execPath, [CLI, "resume", id, "--data-dir", dataDir, "--max-delay-ms", "10", "--json"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.resume();
    let killed = false;
    const push = emulator.requests.push;
    emulator.requests.push = function hook(...records) {
      for (const record of records) {
        if (killed) break;
        const done = performed(emulator);
        if (mode === "after" ? done === kills + 1 : isEffect(record) && done === kills) {
          if (mode === "before") emulator.faults.add({ route: `${record.method} ${record.path.slice(3)}`, kind: "drop", times: 1 });
          killed = true;
          child.kill("SIGKILL");
        }
      }
      return push.apply(this, records);
    };
    const exit = await new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    emulator.requests.push = push;
    if (!killed) {
      assert.equal(exit.code, 0, `resume ended with ${exit.code}: ${stderr}`);
      return kills;
    }
    kills += 1;
    // Let a request still in flight at the emulator finish before the next process starts.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the pipeline never completed");
}

async function launched(t, emulator) {
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir, logger: () => {} }));
  await fillLog(selftune, 12);
  const configFile = join(dataDir, "pipeline.json");
  await writeFile(configFile, JSON.stringify(pipelineConfig()));
  const launch = await runCli(["launch", "--config", configFile, "--detach", "--json", "--data-dir", dataDir]);
  assert.equal(launch.code, 0, launch.stderr);
  return { dataDir, id: JSON.parse(launch.stdout).id };
}

for (const mode of ["before", "lost", "after"]) {
  test(`a process killed ${mode === "lost" ? "while Together performs" : mode} each upload and job creation resumes to completion`, async (t) => {
    const emulator = await startEmulator({ speed: 20_000 });
    t.after(() => emulator.close());
    const { dataDir, id } = await launched(t, emulator);
    const kills = await resumeWithKills(emulator, dataDir, id, mode);
    const status = await runCli(["status", id, "--json", "--data-dir", dataDir]);
    const final = JSON.parse(status.stdout);
    assert.equal(final.status, "completed", JSON.stringify(final.lastError));
    const creations = creationsBySuffix(emulator.requests);
    assert.deepEqual(Object.keys(creations).sort(), final.jobs.map((job) => job.suffix).sort());
    assert.deepEqual(Object.values(creations), [1, 1], JSON.stringify(creations));
    const uploads = emulator.requests.filter((r) => r.path === "/v1/files/upload" && r.status === 200);
    const files = final.jobs.flatMap((job) => Object.values(job.files));
    assert.equal(new Set(files).size, files.length);
    // One kill around each upload (train and validation of both profiles) and each creation.
    assert.equal(kills, files.length + 2);
    assert.equal(uploads.length, files.length, "each file uploaded once");
    t.diagnostic(`${mode}: ${kills} kills`);
  });
}
