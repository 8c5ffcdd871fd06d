// A real ElizaOS agent for the plugin tests: @elizaos/core's AgentRuntime with @elizaos/plugin-sql
// on PGLite. plugin-sql keeps one PGLite per process, and closing it closes it for good: one agent
// database per test file.
import { AgentRuntime } from "@elizaos/core";
import sqlPlugin, { DatabaseMigrationService, createDatabaseAdapter } from "@elizaos/plugin-sql";
import { selftunePlugin } from "selftune";

/** A fresh database needs plugin-sql's migrations before an agent starts on it. */
export async function migrate(pgliteDir, agentId) {
  const adapter = createDatabaseAdapter({ dataDir: pgliteDir }, agentId);
  await adapter.init();
  const migrations = new DatabaseMigrationService();
  await migrations.initializeWithDatabase(adapter.getDatabase());
  migrations.discoverAndRegisterPluginSchemas([sqlPlugin]);
  await migrations.runAllPluginMigrations();
  return adapter;
}

/**
 * Runs `start` with the timers ElizaOS leaves behind unref'd, so that they do not keep the test
 * process alive: @elizaos/core 1.7.2 arms a 30 s timeout per service registration and never clears
 * it, and @elizaos/server 1.7.2 starts cleanup intervals that its `stop()` does not clear. (The
 * plugin itself uses neither: its runner's timeouts are cleared by the service's `stop()`.)
 */
export async function withServiceTimersUnrefd(start) {
  const { setTimeout: realSetTimeout, setInterval: realSetInterval } = globalThis;
  globalThis.setTimeout = (callback, ms, ...args) => {
    const timer = realSetTimeout(callback, ms, ...args);
    if (ms === 30_000) timer.unref();
    return timer;
  };
  globalThis.setInterval = (callback, ms, ...args) => realSetInterval(callback, ms, ...args).unref();
  try {
    return await start();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.setInterval = realSetInterval;
  }
}

/** Starts an agent; `service` is its SelftuneService, or null when it did not start. */
export function startAgent(character, adapter, plugins = [sqlPlugin, selftunePlugin]) {
  return withServiceTimersUnrefd(async () => {
    const runtime = new AgentRuntime({ character, plugins, adapter });
    await runtime.initialize();
    const service = await waitFor("the selftune service", () => runtime.getService("selftune"), 10_000).catch(() => null);
    if (service) await runtime.getServiceLoadPromise("together-ai-automation");
    return { runtime, service };
  });
}

export async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

