// `selftune demo` runs the whole pipeline on the bundled samples against the in-process emulator,
// with no API key; with a key in the environment it refuses unless `--real` is given, and `--real`
// goes wherever TOGETHER_BASE_URL points (here: an emulator this test starts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";

import { startEmulator } from "selftune";
import { runCli, tempDir } from "./support/helpers.mjs";

/** The child's environment without any Together setting or models folder of this machine. */
const CLEAN_ENV = {
  TOGETHER_API_KEY: undefined,
  TOGETHER_AI_API_KEY: undefined,
  TOGETHER_BASE_URL: undefined,
  TOGETHER_TIMEOUT_MS: undefined,
  MODELS_OUTPUT_DIR: undefined,
};

async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** What `exportArtifacts` must have written for `status` into `modelsDir`. */
function expectedArtifacts(status, modelsDir) {
  const files = [join(modelsDir, status.id, "report.md"), join(modelsDir, status.id, "report.json")];
  for (const [slot, deployment] of Object.entries(status.deployments)) {
    if (deployment.local) files.push(join(modelsDir, status.id, slot, "Modelfile"));
  }
  return files.sort();
}

test("demo runs the whole pipeline against the emulator and says so", async (t) => {
  const dataDir = join(await tempDir(t), "demo");
  const { code, stdout, stderr } = await runCli(["demo", "--data-dir", dataDir], { env: CLEAN_ENV });
  assert.equal(code, 0, `${stderr}\n${stdout}`);

  // Plainly emulated, at the start and at the end.
  const lines = stdout.trimEnd().split("\n");
  assert.match(lines.slice(0, 3).join("\n"), /Together is emulated on this machine.*No request\s+leaves this machine.*nothing is spent/s);
  assert.match(lines.slice(-3).join("\n"), /Together was EMULATED on this machine\. No request left it.*nothing was\s+spent/s);
  assert.doesNotMatch(stdout, /REAL MONEY/);
  assert.match(stdout, /Together emulator listening on http:\/\/127\.0\.0\.1:\d+\/v1/);

  // The ingest, the summary and the datasets, as before.
  assert.match(stdout, /Ingested the bundled sample events into /);
  assert.match(stdout, /Example log in /);
  assert.match(stdout, /Built datasets from \d+ examples/);

  // Progress lines while it ran, then the final status: both fine-tunes completed.
  assert.match(stdout, /^ {2}\[[#-]{20}\] +\d+% +training +small \S+/m);
  assert.match(stdout, /^pipeline (pl_\w+) \(selftune demo\): completed$/m);
  const id = stdout.match(/^pipeline (pl_\w+) \(selftune demo\): completed$/m)[1];
  assert.match(stdout, /^ {2}small deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B {2}job ft-\S+ {2}completed {2}-> \S+$/m);
  assert.match(stdout, /^ {2}large deepseek-ai\/DeepSeek-R1-Distill-Llama-70B {2}job ft-\S+ {2}completed {2}-> \S+$/m);

  // The evaluation and the decision of each model.
  for (const slot of ["small", "large"]) {
    assert.match(stdout, new RegExp(`^  ${slot} +evaluation: \\S`, "m"), slot);
    assert.match(stdout, new RegExp(`^  ${slot} +decision: (local_gpu|together|none) \\(`, "m"), slot);
  }
  assert.match(stdout, /^ {2}large +evaluation: win rate \d+% over \d+/m);

  // The report is printed, and it is the file the pipeline wrote where the output says.
  const reportPath = join(dataDir, "pipelines", id, "report.md");
  const printed = stdout.match(/^----- (.+) -----\n([\s\S]*?)----- end of the report -----$/m);
  assert.ok(printed, "the report is printed between markers");
  assert.equal(printed[1], reportPath);
  const report = await readFile(reportPath, "utf8");
  assert.equal(printed[2], report);
  assert.match(report, /Status: completed/);
  assert.match(report, /## Decision and deployment/);

  // The artifacts are copied to <dataDir>/models, and each listed file exists.
  const modelsDir = join(dataDir, "models");
  const copied = stdout.match(/^Copied to (.+):\n((?: {2}.+\n)+)/m);
  assert.ok(copied, "the copied files are listed");
  assert.equal(copied[1], modelsDir);
  const listed = copied[2].trimEnd().split("\n").map((line) => line.trim());
  assert.ok(listed.includes(join(modelsDir, id, "report.md")), listed.join("\n"));
  for (const file of listed) assert.ok(await exists(file), `${file} exists`);
  assert.equal(await readFile(join(modelsDir, id, "report.md"), "utf8"), report);
});

test("demo --json prints one object with the completed pipeline, its artifacts and Modelfiles", async (t) => {
  const dataDir = join(await tempDir(t), "demo");
  // A base URL in the environment is not followed by the emulated demo: nothing reaches this server.
  const bystander = await startEmulator();
  t.after(() => bystander.close());
  const { code, stdout, stderr } = await runCli(["demo", "--json", "--data-dir", dataDir], {
    env: { ...CLEAN_ENV, TOGETHER_BASE_URL: bystander.baseUrl },
  });
  assert.equal(code, 0, stderr);
  const demo = JSON.parse(stdout);
  assert.equal(demo.emulated, true);
  assert.equal(demo.dataDir, dataDir);
  assert.match(demo.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  assert.notEqual(demo.baseUrl, bystander.baseUrl);
  assert.equal(bystander.requests.length, 0, "the emulated demo sent nothing to TOGETHER_BASE_URL");
  assert.ok(demo.ingest.stored >= 10);
  assert.equal(demo.stats.examples, demo.ingest.stored);
  assert.equal(demo.datasets.profiles.length, 2);

  const status = demo.pipeline;
  assert.equal(status.status, "completed", JSON.stringify(status.lastError));
  assert.deepEqual(status.jobs.map((job) => [job.slot, job.status]).sort(), [["large", "completed"], ["small", "completed"]]);
  assert.ok(status.costs.spentUsd > 0 && status.costs.spentUsd <= status.costs.budgetUsd);
  assert.deepEqual(Object.keys(status.evaluations).sort(), ["large", "small"]);
  assert.deepEqual(Object.keys(status.deployments).sort(), ["large", "small"]);
  assert.equal(status.evaluations.large.stage, "done", status.evaluations.large.reason);

  assert.equal(demo.report.path, join(dataDir, "pipelines", status.id, "report.md"));
  assert.equal(demo.report.markdown, await readFile(demo.report.path, "utf8"));

  // Exactly the report, its JSON and a Modelfile per locally deployed model, with the stored content.
  assert.equal(demo.artifacts.modelsDir, join(dataDir, "models"));
  assert.deepEqual([...demo.artifacts.files].sort(), expectedArtifacts(status, demo.artifacts.modelsDir));
  for (const [slot, deployment] of Object.entries(status.deployments)) {
    if (!deployment.local) continue;
    const modelfile = await readFile(join(demo.artifacts.modelsDir, status.id, slot, "Modelfile"), "utf8");
    assert.equal(modelfile, await readFile(join(dataDir, deployment.local.modelfilePath), "utf8"), slot);
    assert.match(modelfile, /^FROM /m, slot);
  }
});

test("demo refuses to run with an API key in the environment, unless --real", async (t) => {
  const root = await tempDir(t);
  for (const name of ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"]) {
    const dataDir = join(root, name);
    for (const args of [["demo", "--data-dir", dataDir], ["demo", "--json", "--data-dir", dataDir]]) {
      const { code, stdout, stderr } = await runCli(args, { env: { ...CLEAN_ENV, [name]: "fake-key-not-real-0000" } });
      assert.equal(code, 2, `${args.join(" ")} with ${name}: ${stderr}`);
      assert.equal(stdout, "");
      assert.match(stderr, new RegExp(`${name} is set`));
      assert.match(stderr, /spend real money/);
      assert.match(stderr, /Pass --real to run it against Together for real/);
      assert.match(stderr, new RegExp(`unset ${name}`));
      assert.equal(await exists(dataDir), false, "nothing was created");
    }
  }
  // --real without a key cannot run either.
  const dataDir = join(root, "real-without-key");
  const noKey = await runCli(["demo", "--real", "--data-dir", dataDir], { env: CLEAN_ENV });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /--real needs TOGETHER_API_KEY/);
  assert.equal(await exists(dataDir), false);
});

test("demo --real goes to TOGETHER_BASE_URL with the key from the environment", async (t) => {
  const root = await tempDir(t);
  const dataDir = join(root, "demo");
  const modelsDir = join(root, "models-out");
  const emulator = await startEmulator({ speed: 300, apiKeys: ["fake-real-key-0000"] });
  t.after(() => emulator.close());
  const { code, stdout, stderr } = await runCli(["demo", "--real", "--max-delay-ms", "100", "--data-dir", dataDir], {
    env: { ...CLEAN_ENV, TOGETHER_API_KEY: "fake-real-key-0000", TOGETHER_BASE_URL: emulator.baseUrl, MODELS_OUTPUT_DIR: modelsDir },
  });
  assert.equal(code, 0, `${stderr}\n${stdout}`);
  assert.match(stdout.split("\n")[0], /^REAL RUN: this demo talks to Together at http:\/\/127\.0\.0\.1:\d+\/v1 with your API key and SPENDS REAL MONEY,$/);
  assert.match(stdout, /up to its budget of \$25\.00/);
  assert.match(stdout, /This was a REAL run against Together at /);
  assert.doesNotMatch(stdout, /EMULATED|emulator listening/);
  assert.match(stdout, /^pipeline pl_\w+ \(selftune demo\): completed$/m);

  // Every request reached the test's emulator, which accepts only that key: both jobs were created there.
  const creations = emulator.requests.filter((r) => r.method === "POST" && r.path === "/v1/fine-tunes");
  assert.deepEqual(creations.map((r) => r.json.model).sort(), [
    "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
  ]);
  assert.ok(emulator.requests.every((r) => r.status === undefined || r.status !== 401), "the key was accepted");

  // The artifacts go to MODELS_OUTPUT_DIR.
  const id = stdout.match(/^pipeline (pl_\w+) /m)[1];
  assert.match(stdout, new RegExp(`^Copied to ${modelsDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:$`, "m"));
  assert.ok(await exists(join(modelsDir, id, "report.md")));
  assert.ok(await exists(join(modelsDir, id, "report.json")));
  assert.equal(await exists(join(dataDir, "models")), false);
});
