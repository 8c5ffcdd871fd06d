// Evaluation, decision and deployment at the end of a pipeline against the in-process emulator:
// each fine-tune is evaluated against its base, and each model ends with a decision and a
// deployment (the 1.5B as a local Modelfile, the 70B on a Together dedicated endpoint).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { PipelineRunner, Selftune, createNodeHost, startEmulator } from "selftune";
import { tempDir } from "./support/helpers.mjs";
import { fastTogether, fillLog, pipelineConfig } from "./support/pipeline.mjs";

test("a pipeline ends with an evaluation, a decision and a deployment for each model", async (t) => {
  const emulator = await startEmulator({ speed: 20_000 });
  t.after(() => emulator.close());
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir }));
  await fillLog(selftune, 30);
  const runner = new PipelineRunner(selftune, { together: fastTogether(emulator.baseUrl), env: {}, maxDelayMs: 20 });
  const config = pipelineConfig({
    deployment: { budget: 50, autoDecision: true, expectedUsage: 1_000_000, evaluationSamples: 3, evaluationBudget: 20 },
  });
  const id = await runner.launch(config);
  const status = await runner.wait(id);
  assert.equal(status.status, "completed", JSON.stringify(status.lastError));

  for (const slot of ["small", "large"]) {
    const evaluation = status.evaluations[slot];
    assert.equal(evaluation.stage, "done", `${slot}: ${evaluation.reason}`);
    assert.ok(evaluation.summary.samples > 0 && evaluation.summary.samples <= 3, slot);
    assert.ok(evaluation.summary.beatsBase, `${slot} beats its base: ${JSON.stringify(evaluation.summary)}`);
    assert.ok(evaluation.costUsd > 0, slot);
  }

  // 1.5B × 2 bytes = 3.0 GB: in the 3–10 GB band; 1M tokens/month is high usage and the cheapest
  // endpoint kept up all month costs more than the $200 server, so local GPU.
  const small = status.deployments.small;
  assert.equal(small.sizeGb, 3);
  assert.equal(small.decision.target, "local_gpu", JSON.stringify(small.decision));
  assert.equal(small.decision.cell, "3-10GB/high-usage/expensive");
  assert.ok(small.cost.togetherUsdPerMonth > 200);
  const modelfile = await readFile(join(dataDir, small.local.modelfilePath), "utf8");
  assert.match(modelfile, /<｜User｜>\{\{ \.Prompt \}\}<｜Assistant｜><think>\n/);
  assert.match(modelfile, /PARAMETER temperature 0\.6/);
  assert.ok(small.local.commands.some((c) => c.includes("convert_hf_to_gguf.py")));

  // 70B × 2 bytes = 140 GB: over 10 GB, hosted on Together with a recorded, smoke-tested endpoint.
  const large = status.deployments.large;
  assert.equal(large.decision.target, "together");
  assert.ok(large.endpointName && large.smokeTest, JSON.stringify(large));
  const live = status.endpoints.filter((e) => e.deletedAt === null);
  assert.deepEqual(live.map((e) => [e.slot, e.purpose]), [["large", "deployment"]]);
  assert.equal(live[0].inactiveTimeout, 60);
  // The emulator agrees: exactly one endpoint runs, the recorded one; the small one was deleted.
  const endpoints = await (await fetch(`${emulator.baseUrl}/endpoints`, { headers: { authorization: "Bearer test-key-not-real" } })).json();
  assert.deepEqual(endpoints.data.map((e) => e.id), [live[0].id]);

  const report = JSON.parse(await readFile(join(dataDir, "pipelines", id, "report.json"), "utf8"));
  assert.equal(report.deployments.large.decision.target, "together");
  const markdown = await readFile(join(dataDir, "pipelines", id, "report.md"), "utf8");
  assert.match(markdown, /Status: completed/);
  assert.match(markdown, /### small: local_gpu \(3-10GB\/high-usage\/expensive\)/);
  assert.match(markdown, /## Decision and deployment/);
  assert.match(markdown, /win rate/);
});

test("the Node host's parser is esbuild: code that parses and code that does not", async () => {
  const { parseCheck } = await import("selftune");
  assert.deepEqual(parseCheck("typescript", "export const a: number = 1;"), { ok: true });
  const broken = parseCheck("typescript", "export const a: number = ;");
  assert.equal(broken.ok, false);
  assert.match(broken.error, /Unexpected/);
  assert.equal(parseCheck("tsx", "const x = <div>{1}</div>;").ok, true);
  assert.equal(parseCheck("javascript", "function (").ok, false);
  // Languages it does not parse are unchecked, not guessed.
  assert.equal(parseCheck("python", "x = 1"), null);
});

test("the evaluation checks TypeScript with the host's parser, and skips a model whose hosting is over its budget", async (t) => {
  // The small model is scored with esbuild through the Node host: the learned answers parse.
  const emulator = await startEmulator({ speed: 20_000 });
  t.after(() => emulator.close());
  const dataDir = await tempDir(t);
  const selftune = await Selftune.create(createNodeHost({ dataDir }));
  await fillLog(selftune, 30);
  const runner = new PipelineRunner(selftune, { together: fastTogether(emulator.baseUrl), env: {}, maxDelayMs: 20 });
  const id = await runner.launch(pipelineConfig({ deployment: { budget: 50, evaluationSamples: 2, evaluationBudget: 1 } }));
  const status = await runner.wait(id);
  assert.equal(status.status, "completed", JSON.stringify(status.lastError));
  const small = status.evaluations.small;
  assert.equal(small.parserAvailable, true);
  assert.ok(small.pairs.every((p) => p.tuned.blocksParsed > 0 && p.tuned.blocksFailed === 0), JSON.stringify(small.pairs));
  // The 70B's endpoint (8 H100s at 44 ¢/min for 11 minutes, $4.84) is over the $1 evaluation budget.
  const large = status.evaluations.large;
  assert.equal(large.stage, "skipped");
  assert.match(large.reason, /over the evaluation budget of \$1\.00/);
  assert.equal(status.deployments.large.decision.target, "none");
  assert.match(status.deployments.large.summary, /not deployed/);
  // Without autoDecision nothing stays up: every endpoint the pipeline created was deleted.
  assert.ok(status.endpoints.every((e) => e.deletedAt !== null), JSON.stringify(status.endpoints));
});
