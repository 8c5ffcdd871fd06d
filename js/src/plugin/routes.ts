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
  stats: LogStats;
  pipelines: PipelineStatus[];
}

async function statusOf(runtime: IAgentRuntime): Promise<StatusResponse | null> {
  const service = selftuneService(runtime);
  if (!service) return null;
  const [stats, pipelines] = await Promise.all([service.stats(), service.listPipelines()]);
  return { agentId: runtime.agentId, canTrain: service.canTrain, capture: { ...service.counters }, stats, pipelines };
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
      if (!status) return failed(res, 503, "the selftune service is not running");
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
      if (!status) return failed(res, 503, "the selftune service is not running");
      const html = renderDashboard({
        title: runtime.character?.name,
        generatedAt: Date.now(),
        pipelines: status.pipelines,
        stats: status.stats,
        statusUrl: "./status",
      });
      res.setHeader?.("Content-Type", "text/html; charset=utf-8");
      res.status(200).send(html);
    } catch (error) {
      failed(res, 500, (error as Error).message);
    }
  },
};
