// The plugin's pure parts: settings (the agent's, then the environment, then defaults; bad values
// reported and ignored), budgets read from chat, and the configuration of a pipeline started there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { SETTING_DEFAULTS, readSettings, selftunePlugin } from "selftune";
import { budgetIn, chatPipelineConfig } from "../dist/plugin/actions.js";
import { describeBriefly } from "../dist/plugin/describe.js";
import { tempDir } from "./support/helpers.mjs";

const agent = (settings) => ({ getSetting: (key) => settings[key] ?? null });

test("settings come from the agent, then the environment, then the defaults", () => {
  const settings = readSettings(agent({ TRAINING_DATA_DIR: "/agent/data", SELFTUNE_PLUGIN_ACTIONS: "make_plugin, WRITE_PLUGIN" }), {
    TRAINING_DATA_DIR: "/env/data",
    TOGETHER_AI_API_KEY: "test-key-not-real",
    SELFTUNE_BUDGET_USD: "12.5",
  });
  assert.equal(settings.dataDir, "/agent/data");
  assert.equal(settings.apiKey, "test-key-not-real", "the seed's variable name is read too");
  assert.equal(settings.budgetUsd, 12.5);
  assert.deepEqual(settings.pluginActions, ["MAKE_PLUGIN", "WRITE_PLUGIN"]);
  assert.deepEqual(settings.mcpActions, SETTING_DEFAULTS.SELFTUNE_MCP_ACTIONS.split(","));
  assert.equal(settings.modelsDir, "./models");
  assert.deepEqual(settings.problems, []);
});

test("a setting that is not usable is named, ignored and replaced by its default", () => {
  const settings = readSettings(agent({ SELFTUNE_BUDGET_USD: "-3", SELFTUNE_RETENTION_DAYS: "1.5", SELFTUNE_MAX_DELAY_MS: "abc" }), {});
  assert.equal(settings.budgetUsd, null);
  assert.equal(settings.retentionDays, null);
  assert.equal(settings.maxDelayMs, undefined);
  assert.deepEqual(settings.problems, [
    "setting SELFTUNE_BUDGET_USD must be a positive number, got '-3'; it is ignored",
    "setting SELFTUNE_MAX_DELAY_MS must be a positive whole number, got 'abc'; it is ignored",
    "setting SELFTUNE_RETENTION_DAYS must be a positive whole number, got '1.5'; it is ignored",
  ]);
});

test("the key is not among the documented plugin config values", () => {
  assert.ok(!("TOGETHER_API_KEY" in selftunePlugin.config));
  assert.equal(selftunePlugin.config.TRAINING_DATA_DIR, "./training-data");
});

test("budgets are read from chat messages", () => {
  assert.equal(budgetIn("train with a budget of $20"), 20);
  assert.equal(budgetIn("fine-tune yourself, 35.5 USD max"), 35.5);
  assert.equal(budgetIn("budget: 15"), 15);
  assert.equal(budgetIn("train on your last 300 plugins"), null);
  assert.equal(budgetIn("budget $0"), null);
});

test("a chat pipeline takes SELFTUNE_PIPELINE_CONFIG, then the message's budget", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "pipeline.json");
  await writeFile(file, JSON.stringify({ name: "nightly", smallModel: { epochs: 2 }, deployment: { budget: 10, autoDecision: true } }));
  const service = (pipelineConfig, budgetUsd = null) => ({ settings: { pipelineConfig, budgetUsd } });
  const fromFile = await chatPipelineConfig(service(file), "train, budget $25");
  assert.deepEqual(fromFile, { name: "nightly", smallModel: { epochs: 2 }, deployment: { budget: 25, autoDecision: true } });
  assert.equal((await chatPipelineConfig(service(file), "train now")).deployment.budget, 10, "the file's budget");
  assert.equal((await chatPipelineConfig(service('{"name":"inline"}', 7), "train now")).deployment.budget, 7, "SELFTUNE_BUDGET_USD");
  await assert.rejects(chatPipelineConfig(service(null), "train now"), /no budget/);
  await assert.rejects(chatPipelineConfig(service("{not json"), "train, budget $5"), /SELFTUNE_PIPELINE_CONFIG is not JSON/);
  await assert.rejects(chatPipelineConfig(service(join(dir, "missing.json")), "budget $5"), /missing\.json, which cannot be read \(ENOENT\)/);
});

test("a pipeline in one line", () => {
  const status = {
    id: "pl_0123456789ab",
    status: "running",
    currentPhase: "training",
    progress: 45.2,
    data: { qualifyingExamples: 20, minDataPoints: 10 },
    jobs: [
      { slot: "small", status: "running", step: 30, totalSteps: 60 },
      { slot: "large", status: "queued", step: null, totalSteps: null },
    ],
    costs: { spentUsd: 1.2, budgetUsd: 10 },
  };
  assert.equal(describeBriefly(status), "pl_0123456789ab: training 45% (small running 30/60, large queued), $1.20 of $10.00");
});
