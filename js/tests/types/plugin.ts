// The plugin's types, as an ElizaOS project sees them (moduleResolution "bundler", like ElizaOS's
// own packages): the plugin fits `Plugin`, and the custom events are typed on `emitEvent`.
import type { IAgentRuntime, Plugin } from "@elizaos/core";
import selftune, { SelftuneService, TogetherAIAutomationService, selftunePlugin, selftuneService, type StatusResponse } from "selftune";

const asPlugin: Plugin = selftune;
const named: Plugin = selftunePlugin;
void asPlugin, named;

export async function emitFromAnAutocoder(runtime: IAgentRuntime): Promise<void> {
  await runtime.emitEvent("PLUGIN_SUCCESS", {
    runtime,
    source: "autocoder",
    originalRequest: "Build a weather plugin",
    executionTime: 41_000,
    outcome: { success: true, pluginName: "plugin-weather", files: [{ path: "src/index.ts", content: "export {};" }] },
  });
  await runtime.emitEvent("MCP_SUCCESS", {
    runtime,
    source: "autocoder",
    originalRequest: "An MCP server that converts units",
    outcome: { success: true, mcpName: "units", tools: ["convert"], files: [{ path: "src/server.ts", content: "export {};" }] },
  });
  await runtime.emitEvent("plugin-success", {
    runtime,
    source: "autocoder",
    // @ts-expect-error: no overload takes files as a string (a list of { path, content } is needed)
    originalRequest: "x",
    outcome: { success: true, files: "src/index.ts" },
  });
  const service = selftuneService(runtime);
  if (service) {
    const stored = service.counters.stored;
    const id: string = await service.launchPipeline({ deployment: { budget: 20 } });
    void stored, id;
  }
  const facade = runtime.getService("together-ai-automation") as unknown as TogetherAIAutomationService;
  const status = await facade.getPipelineStatus("pl_0123456789ab");
  const points: number = status.jobs[0].lossCurve.length;
  void points;
  const type: string = SelftuneService.serviceType;
  void type;
}

export function readStatus(body: StatusResponse): number {
  return body.pipelines.length + body.capture.failed;
}
