// The ElizaOS plugin: add `selftune` to a character's `plugins` and every successful plugin or MCP
// server the agent generates becomes a scrubbed training example; pipelines started from chat (or
// through the services) fine-tune on them.
//
// Nothing here imports @elizaos/core at run time, so the package also loads without it (the CLI,
// the library). That is why the services are plain classes with ElizaOS's static shape
// (`serviceType`, `start(runtime)`, `stop(runtime)`), cast to its `Service` type below.
import type { Plugin, Service } from "@elizaos/core";

import { TogetherAIAutomationService } from "../automation.js";
import { startTrainingAction, trainingStatusAction } from "./actions.js";
import { selftuneEvents } from "./events.js";
import { trainingStatusProvider } from "./provider.js";
import { dashboardRoute, statusRoute } from "./routes.js";
import { SelftuneService } from "./service.js";
import { SETTING_DEFAULTS } from "./settings.js";

/** The settings the plugin reads, with their defaults (the Together key is not listed: it is a secret). */
const { TOGETHER_API_KEY: _key, TOGETHER_AI_API_KEY: _seedKey, ...documentedSettings } = SETTING_DEFAULTS;

export const selftunePlugin: Plugin = {
  name: "selftune",
  description:
    "Captures the agent's successful plugin and MCP server generations as scrubbed training examples and fine-tunes DeepSeek-R1-Distill models on them with Together.ai",
  config: { ...documentedSettings },
  services: [SelftuneService, TogetherAIAutomationService] as unknown as (typeof Service)[],
  events: selftuneEvents,
  actions: [startTrainingAction, trainingStatusAction],
  providers: [trainingStatusProvider],
  routes: [statusRoute, dashboardRoute],
};

export default selftunePlugin;
