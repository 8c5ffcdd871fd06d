// Chat actions: start a training pipeline, and report a pipeline's status.
import { readFile } from "node:fs/promises";

import type { Action, ActionResult, HandlerCallback, IAgentRuntime, Memory } from "@elizaos/core";

import type { PipelineConfigInput } from "../core.js";
import { describeFully } from "./describe.js";
import { selftuneService, type SelftuneService } from "./service.js";

/** `$25`, `25 USD`, `budget 25`, `budget of $25.50` in the message; null when none. */
export function budgetIn(text: string): number | null {
  const match =
    /\$\s*(\d+(?:\.\d+)?)/.exec(text) ??
    /(\d+(?:\.\d+)?)\s*(?:usd|dollars?)\b/i.exec(text) ??
    /\bbudget\b\D{0,12}?(\d+(?:\.\d+)?)/i.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** The configuration of a pipeline started from chat: SELFTUNE_PIPELINE_CONFIG, then the budget. */
export async function chatPipelineConfig(service: SelftuneService, message: string): Promise<PipelineConfigInput> {
  let base: Partial<PipelineConfigInput> = {};
  const configured = service.settings.pipelineConfig;
  if (configured !== null) {
    const json = configured.trimStart().startsWith("{")
      ? configured
      : await readFile(configured, "utf8").catch((error: NodeJS.ErrnoException) => {
          throw new Error(`SELFTUNE_PIPELINE_CONFIG names ${configured}, which cannot be read (${error.code ?? error.message})`);
        });
    try {
      base = JSON.parse(json) as Partial<PipelineConfigInput>;
    } catch {
      throw new Error(`SELFTUNE_PIPELINE_CONFIG is not JSON (nor the path of a JSON file)`);
    }
  }
  const budget = budgetIn(message) ?? service.settings.budgetUsd ?? base.deployment?.budget ?? null;
  if (budget === null) {
    throw new Error("no budget: say one (\"train with a budget of $20\") or set SELFTUNE_BUDGET_USD");
  }
  return { ...base, name: base.name ?? "started from chat", deployment: { ...base.deployment, budget } };
}

async function hasRunningPipeline(service: SelftuneService): Promise<boolean> {
  return (await service.selftune.unfinishedPipelines()).length > 0;
}

/**
 * An action handler that replies in chat: `answer` gives the reply and the result's data; a
 * failure is replied too (prefixed with `failure`), never thrown.
 */
function replying(
  action: string,
  failure: string,
  answer: (service: SelftuneService, message: Memory) => Promise<{ text: string } & Omit<ActionResult, "success" | "text">>,
): Action["handler"] {
  return async (runtime, message, _state, _options, callback?: HandlerCallback): Promise<ActionResult> => {
    const service = selftuneService(runtime);
    if (!service) return { success: false, error: "the selftune service is not running" };
    const reply = (text: string) => (callback ? callback({ text, actions: [action] }) : Promise.resolve());
    try {
      const result = await answer(service, message);
      await reply(result.text);
      return { success: true, ...result };
    } catch (error) {
      const text = `${failure}: ${(error as Error).message}`;
      await reply(text);
      return { success: false, text, error: (error as Error).message };
    }
  };
}

export const startTrainingAction: Action = {
  name: "START_TRAINING_PIPELINE",
  similes: ["START_FINE_TUNING", "TRAIN_CODING_MODELS", "FINE_TUNE_MODELS"],
  description:
    "Start a selftune pipeline: fine-tune DeepSeek-R1-Distill-Qwen-1.5B and -Llama-70B on Together.ai from the agent's own successful code generations, within a budget in USD",
  validate: async (runtime: IAgentRuntime): Promise<boolean> => {
    const service = selftuneService(runtime);
    if (!service || service.isStopped || !service.canTrain) return false;
    return !(await hasRunningPipeline(service));
  },
  handler: replying("START_TRAINING_PIPELINE", "I could not start a training pipeline", async (service, message) => {
    if (!service.canTrain) throw new Error("no Together API key is configured (TOGETHER_API_KEY)");
    if (await hasRunningPipeline(service)) throw new Error("a training pipeline is already running; ask for its status");
    const config = await chatPipelineConfig(service, message.content?.text ?? "");
    const id = await service.launchPipeline(config);
    const status = await service.getPipelineStatus(id);
    const text = `Started training pipeline ${id} with a budget of $${status.costs.budgetUsd.toFixed(2)}. ${describeFully(status)}`;
    return { text, data: { pipelineId: id }, values: { selftunePipelineId: id } };
  }),
  examples: [
    [
      { name: "{{user}}", content: { text: "Fine-tune yourself on the plugins you wrote, budget $20" } },
      { name: "{{agent}}", content: { text: "Started training pipeline pl_0123456789ab with a budget of $20.00.", actions: ["START_TRAINING_PIPELINE"] } },
    ],
  ],
};

export const trainingStatusAction: Action = {
  name: "TRAINING_PIPELINE_STATUS",
  similes: ["FINE_TUNING_STATUS", "TRAINING_STATUS"],
  description: "Report the status of the agent's selftune training pipelines: phase, progress, losses, costs and the deployment decision",
  validate: async (runtime: IAgentRuntime): Promise<boolean> => {
    const service = selftuneService(runtime);
    if (!service || service.unavailable) return false;
    return (await service.listPipelines()).length > 0;
  },
  handler: replying("TRAINING_PIPELINE_STATUS", "I could not read the training pipeline", async (service, message) => {
    const asked = /\bpl_[0-9a-f]{12}\b/.exec(message.content?.text ?? "")?.[0];
    const status = asked ? await service.getPipelineStatus(asked) : (await service.listPipelines()).at(-1);
    if (!status) return { text: "There are no training pipelines yet.", data: {} };
    return { text: describeFully(status), data: { pipelineId: status.id, status: status.status } };
  }),
  examples: [
    [
      { name: "{{user}}", content: { text: "How is the fine-tuning going?" } },
      { name: "{{agent}}", content: { text: "Pipeline \"started from chat\" pl_0123456789ab: training 45% ...", actions: ["TRAINING_PIPELINE_STATUS"] } },
    ],
  ],
};
