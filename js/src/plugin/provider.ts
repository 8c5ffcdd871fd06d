// The agent's one-line view of its training pipelines, in every context it composes.
import type { IAgentRuntime, Provider, ProviderResult } from "@elizaos/core";

import { describeBriefly } from "./describe.js";
import { selftuneService } from "./service.js";

export const trainingStatusProvider: Provider = {
  name: "SELFTUNE_TRAINING",
  description: "One line on the agent's selftune training pipelines and captured examples",
  position: 100,
  get: async (runtime: IAgentRuntime): Promise<ProviderResult> => {
    const service = selftuneService(runtime);
    if (!service) return { text: "" };
    try {
      const pipelines = await service.listPipelines();
      const running = pipelines.filter((status) => status.status === "running");
      const latest = running[running.length - 1] ?? pipelines[pipelines.length - 1];
      const examples = `${service.counters.stored} example(s) captured since start`;
      const text = latest
        ? `Training pipelines: ${running.length} running; latest ${describeBriefly(latest)}; ${examples}.`
        : `Training pipelines: none yet; ${examples}.`;
      return {
        text,
        values: { selftuneRunning: running.length, selftuneLatest: latest?.id ?? null },
        data: { latest: latest ?? null, counters: { ...service.counters } },
      };
    } catch (error) {
      return { text: `Training pipelines: unavailable (${(error as Error).message}).` };
    }
  },
};
