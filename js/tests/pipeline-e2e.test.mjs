// The whole pipeline against the in-process emulator, on an accelerated clock, through injected
// 429s and 5xx: both models are trained, each job created once, the budget respected.
import { test } from "node:test";
import assert from "node:assert/strict";

import { PipelineRunner, Selftune, TogetherAIAutomationService, createNodeHost, startEmulator } from "selftune";
import { tempDir } from "./support/helpers.mjs";
import { creationsBySuffix, fastTogether, fillLog, pipelineConfig } from "./support/pipeline.mjs";

async function setUp(t, emulatorOptions = {}) {
  const emulator = await startEmulator({ speed: 20_000, ...emulatorOptions });
  t.after(() => emulator.close());
  const dataDir = await tempDir(t);
  const warnings = [];
  const selftune = await Selftune.create(createNodeHost({ dataDir, logger: (level, message) => warnings.push(`${level} ${message}`) }));
  await fillLog(selftune, 16);
  return { emulator, dataDir, selftune, warnings };
}

test("a pipeline trains both models through 429s and 5xx", async (t) => {
  const started = Date.now();
  const faults = [
    { route: "POST /files/upload", kind: "status", status: 503, times: 2 },
    { route: "GET /files/{id}", kind: "status", status: 429, retryAfterMs: 5, times: 3 },
    { route: "GET /fine-tunes/models/limits", kind: "status", status: 500, times: 2 },
    { route: "POST /fine-tunes/estimate-price", kind: "status", status: 429, retryAfterMs: 5, times: 2 },
    { route: "POST /fine-tunes", kind: "status", status: 503, times: 1 },
    { route: "GET /fine-tunes/{id}", kind: "status", status: 502, times: 4 },
    { route: "GET /fine-tunes/{id}/events", kind: "status", status: 429, retryAfterMs: 5, times: 2 },
  ];
  const { emulator, selftune } = await setUp(t, { faults });
  const phases = [];
  const progress = [];
  const runner = new PipelineRunner(selftune, {
    together: fastTogether(emulator.baseUrl),
    env: {},
    maxDelayMs: 20,
    onStep: (result) => {
      if (phases.at(-1) !== result.phase) phases.push(result.phase);
      progress.push(result.progress);
    },
  });
  const id = await runner.launch(pipelineConfig());
  const status = await runner.wait(id);
  assert.equal(status.status, "completed", JSON.stringify(status.lastError));
  assert.deepEqual(phases.slice(-5), ["uploading", "training", "evaluating", "deploying", "completed"]);
  for (let i = 1; i < progress.length; i += 1) assert.ok(progress[i] >= progress[i - 1], "progress is monotonic");
  assert.equal(status.progress, 100);
  for (const job of status.jobs) {
    assert.equal(job.status, "completed", job.slot);
    assert.ok(job.outputModel, job.slot);
    assert.ok(job.trainingLoss > 0, job.slot);
    assert.ok(job.spentUsd > 0, job.slot);
  }
  assert.ok(status.costs.spentUsd <= status.costs.budgetUsd);
  const creations = creationsBySuffix(emulator.requests);
  assert.deepEqual(Object.values(creations).sort(), [1, 1], JSON.stringify(creations));
  // Every fault was met (and survived).
  assert.equal(emulator.faults.list().filter((rule) => rule.remaining > 0).length, 0, JSON.stringify(emulator.faults.list()));
  t.diagnostic(`e2e pipeline under faults: ${Date.now() - started} ms`);
});

test("estimates over the budget fail the pipeline before any job", async (t) => {
  const { emulator, selftune } = await setUp(t);
  const runner = new PipelineRunner(selftune, { together: fastTogether(emulator.baseUrl), env: {}, maxDelayMs: 20 });
  const id = await runner.launch(pipelineConfig({ deployment: { budget: 0.000001 } }));
  const status = await runner.wait(id);
  assert.equal(status.status, "failed");
  assert.equal(status.lastError.code, "budget_exceeded");
  assert.match(status.lastError.message, /over the budget of \$0\.00; no job was created/);
  assert.deepEqual(creationsBySuffix(emulator.requests), {});
});

test("batch sizes: the seed's defaults are moved into the model's range, the user's are checked", async (t) => {
  const { emulator, selftune } = await setUp(t);
  const runner = new PipelineRunner(selftune, { together: fastTogether(emulator.baseUrl), env: {}, maxDelayMs: 20 });
  const defaults = pipelineConfig();
  delete defaults.smallModel.batchSize;
  delete defaults.largeModel.batchSize;
  const trained = await runner.wait(await runner.launch(defaults));
  assert.equal(trained.status, "completed", JSON.stringify(trained.lastError));
  const created = emulator.requests.filter((request) => request.method === "POST" && request.path === "/v1/fine-tunes");
  assert.deepEqual(created.map((request) => request.json.batch_size), [8, 8], "the emulator's minimum, not the seed's 4 and 1");

  const chosen = pipelineConfig({ smallModel: { baseModel: "deepseek-r1-distill-qwen-1.5b", suffix: "small", batchSize: 4 } });
  const refused = await runner.wait(await runner.launch(chosen));
  assert.equal(refused.lastError.code, "limits_exceeded");
  assert.match(refused.lastError.message, /smallModel\.batchSize 4 is below the model's minimum 8/);
  assert.equal(emulator.requests.filter((request) => request.method === "POST" && request.path === "/v1/fine-tunes").length, 2, "nothing more was created");
});

test("the automation service starts, reports and cancels pipelines", async (t) => {
  const { emulator, selftune } = await setUp(t, { speed: 50 });
  const service = new TogetherAIAutomationService({ selftune, together: fastTogether(emulator.baseUrl), env: {}, maxDelayMs: 20 });
  t.after(() => service.stop());
  const id = await service.startAutomationPipeline(pipelineConfig());
  let status = await service.getPipelineStatus(id);
  assert.equal(status.id, id);
  while (!status.jobs.every((job) => job.jobId)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    status = await service.getPipelineStatus(id);
    assert.equal(status.status, "running", JSON.stringify(status.lastError));
  }
  const cancelled = await service.cancelPipeline(id);
  assert.equal(cancelled.status, "cancelled");
  for (const job of cancelled.jobs) assert.equal(job.cancelReason, "cancelled");
  const cancels = emulator.requests.filter((r) => r.method === "POST" && r.path.endsWith("/cancel"));
  assert.equal(cancels.length, 2);
  assert.deepEqual((await service.listPipelines()).map((p) => p.status), ["cancelled"]);
  assert.deepEqual(await service.start(), [], "nothing left to resume");
});
