// HTTP routes, served by the ElizaOS server under the plugin's name: `GET /selftune/status` (JSON)
// and the public dashboard page `GET /selftune/dashboard`. The server does not await route
// handlers, so each one answers its own errors.
import type { IAgentRuntime, Route, RouteResponse } from "@elizaos/core";

import { renderDashboard } from "../dashboard.js";
import type { LogStats, PipelineStatus } from "../core.js";
import { selftuneService, type CaptureCounters } from "./service.js";

/** What `GET /selftune/status` answers. */
export interface StatusResponse {
  agentId: string;
  canTrain: boolean;
  capture: CaptureCounters;
  /** Settings that were not usable (each replaced by its default). */
  settingProblems: string[];
  stats: LogStats;
  pipelines: PipelineStatus[];
}

/** The status, or why there is none (the service is not running, or cannot open its log). */
async function statusOf(runtime: IAgentRuntime): Promise<StatusResponse | string> {
  const service = selftuneService(runtime);
  if (!service) return "the selftune service is not running";
  if (service.unavailable) return service.unavailable.message;
  const [stats, pipelines] = await Promise.all([service.stats(), service.listPipelines()]);
  return {
    agentId: runtime.agentId,
    canTrain: service.canTrain,
    capture: { ...service.counters },
    settingProblems: [...service.settings.problems],
    stats,
    pipelines,
  };
}

function failed(res: RouteResponse, status: number, message: string): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { message } });
}

export const statusRoute: Route = {
  type: "GET",
  path: "/status",
  handler: async (_req, res, runtime) => {
    try {
      const status = await statusOf(runtime);
      if (typeof status === "string") return failed(res, 503, status);
      res.json(status);
    } catch (error) {
      failed(res, 500, (error as Error).message);
    }
  },
};

export const dashboardRoute: Route = {
  type: "GET",
  path: "/dashboard",
  public: true,
  name: "Training",
  handler: async (_req, res, runtime) => {
    try {
      const status = await statusOf(runtime);
      if (typeof status === "string") return failed(res, 503, status);
      const html = renderDashboard({
        title: runtime.character?.name,
        generatedAt: Date.now(),
        pipelines: status.pipelines,
        stats: status.stats,
        // Relative, so it works under both of the server's paths; the agent id picks this agent.
        statusUrl: `./status?agentId=${encodeURIComponent(runtime.agentId)}`,
      });
      res.setHeader?.("Content-Type", "text/html; charset=utf-8");
      res.status(200).send(html);
    } catch (error) {
      failed(res, 500, (error as Error).message);
    }
  },
};
