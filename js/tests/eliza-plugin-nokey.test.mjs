// The plugin in a real ElizaOS agent that has no Together key, and in agents whose settings are
// wrong: captures go on without a key, training is refused without a request to Together, a bad
// setting falls back to its default, and a data folder that cannot be opened never stops the agent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { stringToUuid } from "@elizaos/core";
import { selftunePlugin, startEmulator } from "selftune";

import { migrate, startAgent } from "./support/eliza.mjs";
import { tempDir } from "./support/helpers.mjs";
import { distinctPlugin } from "./support/pipeline.mjs";

test("without a key the agent captures but never trains; bad settings and an unusable folder never stop the agent", async (t) => {
  const root = await tempDir(t);
  const emulator = await startEmulator({ speed: 600 });
  t.after(() => emulator.close());
  const character = {
    name: "NoKey",
    bio: ["Writes plugins."],
    settings: { TRAINING_DATA_DIR: join(root, "data"), TOGETHER_BASE_URL: emulator.baseUrl, SELFTUNE_BUDGET_USD: "5", secrets: {} },
  };
  // A bare AgentRuntime reads no environment, but the plugin falls back to it: keep it key-free.
  for (const name of ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"]) {
    const saved = process.env[name];
    delete process.env[name];
    if (saved !== undefined) t.after(() => (process.env[name] = saved));
  }
  const adapter = await migrate(join(root, "pglite"), stringToUuid(character.name));
  const { runtime, service } = await startAgent(character, adapter);
  assert.ok(service, "the service starts without a key");
  assert.equal(service.canTrain, false);
  await runtime.emitEvent("PLUGIN_SUCCESS", distinctPlugin(1));
  assert.equal(service.counters.stored, 1);

  const [startAction] = selftunePlugin.actions;
  const message = { entityId: runtime.agentId, roomId: runtime.agentId, content: { text: "train, budget $5" } };
  assert.equal(await startAction.validate(runtime, message), false, "no key: the action is not offered");
  const result = await startAction.handler(runtime, message, { values: {}, data: {}, text: "" }, {}, async () => []);
  assert.equal(result.success, false);
  assert.match(result.text, /TOGETHER_API_KEY/);
  await assert.rejects(service.launchPipeline({ deployment: { budget: 5 } }), /no Together API key/);
  assert.equal(emulator.requests.length, 0, "nothing was sent to Together");
  await runtime.stop();

  // A setting that is not a number: reported, replaced by its default, and capture goes on.
  const typo = { ...character, name: "Typo", settings: { ...character.settings, SELFTUNE_MAX_DELAY_MS: "soon" } };
  const second = await startAgent(typo, adapter);
  assert.ok(second.service);
  assert.deepEqual(second.service.settings.problems, ["setting SELFTUNE_MAX_DELAY_MS must be a positive whole number, got 'soon'; it is ignored"]);
  assert.equal(second.service.settings.maxDelayMs, undefined);
  await second.runtime.emitEvent("PLUGIN_SUCCESS", distinctPlugin(2));
  assert.equal(second.service.counters.stored, 1);
  await second.runtime.stop();

  // A data folder that is a file: the agent runs, the service says why it cannot capture.
  const file = join(root, "not-a-folder");
  await writeFile(file, "x");
  const blocked = { ...character, name: "Blocked", settings: { ...character.settings, TRAINING_DATA_DIR: file } };
  const third = await startAgent(blocked, adapter);
  assert.ok(third.service);
  assert.match(third.service.unavailable.message, /could not open/);
  await third.runtime.emitEvent("PLUGIN_SUCCESS", distinctPlugin(3));
  assert.equal(third.service.counters.failed, 1);
  assert.match(third.service.counters.lastFailure, /was not captured/);
  const statusRoute = third.runtime.routes.find((route) => route.path === "/selftune/status");
  const res = { headersSent: false, status(code) { this.code = code; return this; }, json(body) { this.body = body; this.headersSent = true; } };
  await statusRoute.handler({}, res, third.runtime);
  assert.equal(res.code, 503);
  assert.match(res.body.error.message, /could not open/);
  await assert.rejects(third.runtime.getService("together-ai-automation").listPipelines(), /could not open/);
  await third.runtime.stop();
  await runtime.close();
});
