// The plugin behind ElizaOS's own HTTP server (@elizaos/server 1.7.2, which starts the agent with
// plugin-sql on PGLite): the routes answer over real HTTP at the paths ElizaOS gives them, the
// dashboard is listed as the agent's panel, and a pipeline run through the agent shows on both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";

import { isValidPluginShape } from "@elizaos/core";
import { AgentServer } from "@elizaos/server";
import * as selftuneModule from "selftune";

import { waitFor, withServiceTimersUnrefd } from "./support/eliza.mjs";
import { tempDir } from "./support/helpers.mjs";
import { FAKE_KEY, distinctPlugin, pipelineConfig } from "./support/pipeline.mjs";

const { selftunePlugin, startEmulator } = selftuneModule;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

test("ElizaOS finds the plugin in the package the way it loads plugins by name", () => {
  // loadAndPreparePlugin("selftune") tries `selftunePlugin`, then the default export.
  assert.ok(isValidPluginShape(selftuneModule.selftunePlugin));
  assert.equal(selftuneModule.default, selftuneModule.selftunePlugin);
});

test("the routes over HTTP from ElizaOS's server, before and after a pipeline", async (t) => {
  const started = Date.now();
  const root = await tempDir(t);
  const emulator = await startEmulator({ speed: 20_000 });
  t.after(() => emulator.close());
  const port = await freePort();
  const character = {
    name: "ServedCoder",
    bio: ["Writes plugins."],
    settings: {
      TRAINING_DATA_DIR: join(root, "data"),
      MODELS_OUTPUT_DIR: join(root, "models"),
      TOGETHER_BASE_URL: emulator.baseUrl,
      SELFTUNE_MAX_DELAY_MS: "20",
      secrets: { TOGETHER_API_KEY: FAKE_KEY },
    },
  };
  const server = new AgentServer();
  await withServiceTimersUnrefd(() =>
    server.start({ port, dataDir: join(root, "pglite"), agents: [{ character, plugins: [selftunePlugin] }] }),
  );
  t.after(() => server.stop());
  const [runtime] = server.getAllAgents();
  const base = `http://127.0.0.1:${port}`;
  const get = async (path) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, type: response.headers.get("content-type") ?? "", text: await response.text() };
  };
  const agent = `agentId=${runtime.agentId}`;
  await waitFor("the selftune service", () => runtime.getService("selftune"), 10_000);
  t.diagnostic(`server and agent up after ${Date.now() - started} ms`);

  const empty = await get(`/selftune/status?${agent}`);
  assert.equal(empty.status, 200, empty.text);
  assert.match(empty.type, /application\/json/);
  assert.equal(JSON.parse(empty.text).pipelines.length, 0);

  const panels = JSON.parse((await get(`/api/agents/${runtime.agentId}/panels`)).text);
  const panel = panels.data.find((entry) => entry.name === "Training");
  assert.ok(panel, JSON.stringify(panels));
  assert.match(panel.path, /\/plugins\/selftune\/dashboard/);
  const emptyPage = await get(panel.path);
  assert.equal(emptyPage.status, 200);
  assert.match(emptyPage.type, /text\/html/);
  assert.match(emptyPage.text, /selftune launch --config/, "the empty state says how to start");

  for (let i = 0; i < 12; i += 1) await runtime.emitEvent("PLUGIN_SUCCESS", distinctPlugin(i));
  const service = runtime.getService("selftune");
  const id = await service.launchPipeline(pipelineConfig({ name: "served run" }));
  const final = await service.waitForPipeline(id);
  assert.equal(final.status, "completed", JSON.stringify(final.lastError));

  // Both of the server's addresses for a plugin route answer.
  for (const path of [`/selftune/status?${agent}`, `/api/agents/${runtime.agentId}/plugins/selftune/status`]) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    const body = JSON.parse(response.text);
    assert.equal(body.stats.examples, 12);
    assert.equal(body.capture.stored, 12);
    assert.equal(body.pipelines[0].status, "completed");
    assert.ok(!response.text.includes(FAKE_KEY), "the key is never served");
  }
  const page = await get(`/selftune/dashboard?${agent}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(id));
  assert.match(page.text, /<polyline[^>]*data-series="small-training"/);
  assert.match(page.text, /<polyline[^>]*data-series="large-validation"/);
  assert.doesNotMatch(page.text, /(src|href)="https?:/, "no external asset");
  // The page's link to the JSON status works from both of the server's paths to the page.
  const link = /<a href="([^"]+)">JSON status<\/a>/.exec(page.text)?.[1].replaceAll("&amp;", "&");
  assert.ok(link, "the page links its JSON status");
  for (const pagePath of [`/selftune/dashboard?${agent}`, panel.path]) {
    const target = new URL(link, `${base}${pagePath}`);
    const linked = await get(`${target.pathname}${target.search}`);
    assert.equal(linked.status, 200, `${pagePath} -> ${target.pathname}${target.search}`);
    assert.equal(JSON.parse(linked.text).agentId, runtime.agentId);
  }
  t.diagnostic(`whole server test: ${Date.now() - started} ms`);
});
