// The plugin inside a real ElizaOS agent: `AgentRuntime` from @elizaos/core with @elizaos/plugin-sql
// on PGLite (a fresh database, migrated first), no LLM and no network but the loopback emulator.
// Events are emitted the ways an agent emits them, examples land scrubbed on disk, a pipeline
// starts through the service, survives a restart of the agent mid-training and completes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

import { ChannelType, EventType, createUniqueUuid, stringToUuid } from "@elizaos/core";
import sqlPlugin from "@elizaos/plugin-sql";
import selftunePluginDefault, { selftunePlugin, startEmulator } from "selftune";

import { migrate, startAgent, waitFor } from "./support/eliza.mjs";
import { fakeToken, tempDir } from "./support/helpers.mjs";
import { FAKE_KEY, creationsBySuffix, distinctPlugin, pipelineConfig } from "./support/pipeline.mjs";

const GITHUB_TOKEN = `ghp_${fakeToken(36, 11)}`;

/** A plugin that creates plugins, as an autocoder would: its result carries the files. */
const creatorPlugin = {
  name: "test-plugin-creator",
  description: "creates plugins (test double of a code-writing plugin)",
  actions: [
    {
      name: "CREATE_PLUGIN",
      description: "creates a plugin",
      validate: async () => true,
      handler: async () => ({
        success: true,
        text: "Created plugin-weather",
        data: {
          pluginName: "plugin-weather",
          description: "Weather lookups for the agent",
          duration: 41_000,
          files: [
            {
              path: "src/index.ts",
              content: [
                'import type { Plugin } from "@elizaos/core";',
                'import { getWeather } from "./actions/getWeather";',
                "",
                'export const weatherPlugin: Plugin = { name: "weather", description: "Weather lookups", actions: [getWeather] };',
                "export default weatherPlugin;",
                "",
              ].join("\n"),
            },
            {
              path: "src/actions/getWeather.ts",
              content: [
                'import type { Action } from "@elizaos/core";',
                "",
                "export const getWeather: Action = {",
                '  name: "GET_WEATHER",',
                '  description: "Current weather for a city",',
                "  validate: async () => true,",
                "  handler: async (runtime, message) => {",
                '    const key = runtime.getSetting("WEATHER_API_KEY");',
                '    const city = message.content.text ?? "Paris";',
                "    const response = await fetch(`https://api.weather.example/v1?q=${encodeURIComponent(city)}&key=${key}`);",
                "    return { success: response.ok, text: await response.text() };",
                "  },",
                "};",
                "",
              ].join("\n"),
            },
          ],
        },
      }),
    },
  ],
};

const AGENT_PLUGINS = [sqlPlugin, selftunePlugin, creatorPlugin];

async function logText(dataDir) {
  const dir = join(dataDir, "examples");
  const names = await readdir(dir);
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), "utf8")));
  return texts.join("");
}

/** A route's response, recorded. */
function recordingResponse() {
  const res = { statusCode: 200, headers: {}, body: undefined, headersSent: false };
  res.status = (code) => ((res.statusCode = code), res);
  res.json = (data) => ((res.body = data), (res.headersSent = true), res);
  res.send = (data) => ((res.body = data), (res.headersSent = true), res);
  res.end = () => ((res.headersSent = true), res);
  res.setHeader = (name, value) => ((res.headers[name.toLowerCase()] = value), res);
  return res;
}

test("selftune inside a real AgentRuntime on PGLite: capture, a pipeline across a restart, a clean stop", async (t) => {
  const started = Date.now();
  const root = await tempDir(t);
  const dataDir = join(root, "training-data");
  const modelsDir = join(root, "models");
  // Slow enough that a restart lands while Together is still training.
  const emulator = await startEmulator({ speed: 600 });
  t.after(() => emulator.close());

  assert.equal(selftunePluginDefault, selftunePlugin, "the default export is the plugin");
  const character = {
    name: "Coder",
    bio: ["Writes ElizaOS plugins and MCP servers."],
    settings: {
      secrets: { TOGETHER_API_KEY: FAKE_KEY },
      TOGETHER_BASE_URL: emulator.baseUrl,
      TRAINING_DATA_DIR: dataDir,
      MODELS_OUTPUT_DIR: modelsDir,
      SELFTUNE_MAX_DELAY_MS: "50",
      SELFTUNE_BUDGET_USD: "40",
      SELFTUNE_PIPELINE_CONFIG: JSON.stringify(pipelineConfig({ name: "agent run" })),
    },
  };
  const agentId = stringToUuid(character.name);
  const adapter = await migrate(join(root, "pglite"), agentId);
  let { runtime, service } = await startAgent(character, adapter, AGENT_PLUGINS);
  t.diagnostic(`agent up (PGLite migrated) after ${Date.now() - started} ms`);

  // 1. The custom events, both spellings, with the seed's payload shape.
  await runtime.emitEvent("PLUGIN_SUCCESS", {
    source: "autocoder",
    originalRequest: `Create a plugin that posts build results to GitHub; use the token ${GITHUB_TOKEN}`,
    executionTime: 52_000,
    outcome: {
      success: true,
      pluginName: "plugin-ci-reporter",
      files: [
        { path: "src/index.ts", content: `export const token = "${GITHUB_TOKEN}";\nexport const owner = "acme";\n` },
        { path: ".env.example", content: `GITHUB_TOKEN=${GITHUB_TOKEN}\n` },
      ],
    },
  });
  await runtime.emitEvent("mcp-success", {
    originalRequest: "Build an MCP server with a tool that converts Celsius to Fahrenheit",
    executionTime: 12_000,
    outcome: {
      success: true,
      mcpName: "temperature",
      tools: [{ name: "to_fahrenheit", inputSchema: { type: "object", properties: { celsius: { type: "number" } } } }],
      files: [{ path: "src/server.ts", content: "export const toFahrenheit = (c: number) => c * 9 / 5 + 32;\n" }],
    },
  });
  // A malformed event and an event after which the handler fails are counted, never thrown.
  await runtime.emitEvent("MCP_SUCCESS", { originalRequest: "broken", outcome: { success: true, files: "not a list" } });
  assert.equal(service.counters.failed, 1);
  assert.match(service.counters.lastFailure, /outcome\.files/);

  // 2. ACTION_COMPLETED through the runtime's own action processing: the request comes from the
  // triggering message stored in the room, the files from the action's result.
  const userId = createUniqueUuid(runtime, "developer");
  const roomId = createUniqueUuid(runtime, "dev-room");
  const worldId = createUniqueUuid(runtime, "dev-world");
  await runtime.ensureConnection({ entityId: userId, roomId, worldId, userName: "dev", name: "Dev", source: "test", type: ChannelType.DM });
  const message = {
    id: createUniqueUuid(runtime, "request-1"),
    entityId: userId,
    agentId: runtime.agentId,
    roomId,
    content: { text: "Please write a weather plugin with a GET_WEATHER action for any city", source: "test" },
    createdAt: Date.now(),
  };
  await runtime.createMemory(message, "messages");
  const response = {
    id: createUniqueUuid(runtime, "response-1"),
    entityId: runtime.agentId,
    agentId: runtime.agentId,
    roomId,
    content: { text: "On it.", actions: ["CREATE_PLUGIN"], source: "test" },
  };
  const completed = [];
  runtime.registerEvent(EventType.ACTION_COMPLETED, async (payload) => void completed.push(payload.content.actionStatus));
  await runtime.processActions(message, [response]);
  assert.deepEqual(completed, ["completed"], "the runtime emitted ACTION_COMPLETED");

  assert.equal(service.counters.stored, 3, JSON.stringify(service.counters));
  const stats = await service.stats();
  assert.equal(stats.examples, 3);
  assert.deepEqual(stats.byKind, { plugin: 2, mcp: 1 });
  const log = await logText(dataDir);
  assert.ok(!log.includes(GITHUB_TOKEN), "the token never reaches the disk");
  assert.match(log, /<REDACTED:github_token>/);
  assert.match(log, /Please write a weather plugin with a GET_WEATHER action/, "request from the triggering message");
  assert.match(log, /GET_WEATHER/);

  // 3. The provider and the actions, as the agent's planner sees them.
  const state = { values: {}, data: {}, text: "" };
  assert.match((await selftunePlugin.providers[0].get(runtime, message, state)).text, /Training pipelines: none yet; 3 example/);
  const [startAction, statusAction] = selftunePlugin.actions;
  assert.equal(await statusAction.validate(runtime, message), false, "no pipeline to report yet");
  assert.equal(await startAction.validate(runtime, message), true);

  // 4. Enough examples for a pipeline, then one started through the seed's facade.
  for (let i = 0; i < 14; i += 1) await runtime.emitEvent("PLUGIN_SUCCESS", distinctPlugin(i));
  const automation = runtime.getService("together-ai-automation");
  assert.ok(automation, "the seed's facade is registered");
  const id = await automation.startAutomationPipeline(pipelineConfig({ name: "agent run", deployment: { budget: 40 } }));
  assert.equal(await startAction.validate(runtime, message), false, "a pipeline is already running");
  assert.equal(await statusAction.validate(runtime, message), true);

  // 5. Restart the agent while Together trains: stop it once both jobs exist and are not finished.
  const training = await waitFor("both jobs at Together", async () => {
    const status = await automation.getPipelineStatus(id);
    const live = status.jobs.every((job) => job.jobId !== null && ["pending", "queued", "running"].includes(job.status));
    return status.currentPhase === "training" && live ? status : null;
  });
  await runtime.stop();
  assert.deepEqual(service.runner.running(), [], "no pipeline is driven after stop");
  const frozen = (await service.getPipelineStatus(id)).updatedAt;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await service.getPipelineStatus(id)).updatedAt, frozen, "nothing runs after stop");
  t.diagnostic(`stopped mid-training at ${training.progress.toFixed(0)}%`);

  ({ runtime, service } = await startAgent(character, adapter, AGENT_PLUGINS));
  assert.deepEqual(service.runner.running(), [id], "the restarted agent resumed the pipeline");
  const final = await service.waitForPipeline(id);
  assert.equal(final.status, "completed", JSON.stringify(final.lastError));
  for (const job of final.jobs) assert.equal(job.status, "completed", job.slot);
  assert.deepEqual(Object.values(creationsBySuffix(emulator.requests)).sort(), [1, 1], "each job was created once");
  assert.ok(final.jobs.every((job) => job.lossCurve.length > 1), "loss curves for the dashboard");
  await waitFor("the report in the models folder", () => stat(join(modelsDir, id, "report.md")).catch(() => null), 5_000);

  // 6. The routes, as the server calls them.
  const statusRoute = runtime.routes.find((route) => route.path === "/selftune/status");
  const dashboardRoute = runtime.routes.find((route) => route.path === "/selftune/dashboard");
  assert.ok(statusRoute && dashboardRoute, runtime.routes.map((route) => route.path).join(", "));
  assert.equal(dashboardRoute.public, true);
  const json = recordingResponse();
  await statusRoute.handler({}, json, runtime);
  assert.equal(json.statusCode, 200);
  assert.equal(json.body.pipelines.at(-1).status, "completed");
  assert.equal(json.body.stats.examples, 17);
  assert.ok(!JSON.stringify(json.body).includes(FAKE_KEY), "the key is not in the status");
  const page = recordingResponse();
  await dashboardRoute.handler({}, page, runtime);
  assert.equal(page.statusCode, 200);
  assert.match(page.headers["content-type"], /text\/html/);
  assert.match(page.body, /<svg/);
  assert.ok(page.body.includes(id));

  // 7. The status action answers from chat.
  const replies = [];
  const result = await statusAction.handler(runtime, message, state, {}, async (content) => (replies.push(content.text), []));
  assert.equal(result.success, true);
  assert.match(replies[0], new RegExp(`${id}: completed`));

  // 8. A pipeline started from chat: the budget from the message, the rest from SELFTUNE_PIPELINE_CONFIG.
  const ask = { ...message, content: { text: "Train yourself again on your plugins, budget $30", source: "test" } };
  assert.equal(await startAction.validate(runtime, ask), true, "the first pipeline has ended");
  const chatReplies = [];
  const launched = await startAction.handler(runtime, ask, state, {}, async (content) => (chatReplies.push(content.text), []));
  assert.equal(launched.success, true, launched.text);
  const second = await service.getPipelineStatus(launched.data.pipelineId);
  assert.equal(second.name, "agent run");
  assert.equal(second.costs.budgetUsd, 30);
  assert.match(chatReplies[0], /Started training pipeline pl_[0-9a-f]{12} with a budget of \$30\.00/);
  const refused = await startAction.handler(runtime, ask, state, {}, async () => []);
  assert.equal(refused.success, false);
  assert.match(refused.text, /already running/);
  assert.equal((await service.cancelPipeline(second.id)).status, "cancelled");

  // 9. A clean stop: no pipeline driven, the database closed.
  await runtime.stop();
  assert.deepEqual(service.runner.running(), []);
  await runtime.close();
  t.diagnostic(`whole agent test: ${Date.now() - started} ms`);
});

