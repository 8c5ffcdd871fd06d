// The events selftune listens to. `PLUGIN_SUCCESS` / `MCP_SUCCESS` (and the original design's
// `plugin-success` / `mcp-success`) carry one generation each, emitted by whatever created it;
// `ACTION_COMPLETED` is ElizaOS's own, captured for the configured plugin- and MCP-creating actions.
// `emitEvent` awaits every handler and rejects when one throws, so handlers never throw: they log
// and count failures on the service.
import type { ActionEventPayload, EventPayload, IAgentRuntime, Memory, PluginEvents } from "@elizaos/core";

import type { GeneratedFile, McpEvent, McpOutcome, PluginEvent, PluginOutcome } from "../core.js";
import { awaitSelftuneService, type ExampleKind, type SelftuneService } from "./service.js";

/** `PLUGIN_SUCCESS`: a plugin the agent generated and that built and passed its checks. */
export type PluginSuccessPayload = EventPayload & PluginEvent;
/** `MCP_SUCCESS`: an MCP server the agent generated. */
export type McpSuccessPayload = EventPayload & McpEvent;

declare module "@elizaos/core" {
  interface EventPayloadMap {
    PLUGIN_SUCCESS: PluginSuccessPayload;
    MCP_SUCCESS: McpSuccessPayload;
    "plugin-success": PluginSuccessPayload;
    "mcp-success": McpSuccessPayload;
  }
}

/** The event's own fields: the runtime and the emitter's bookkeeping never reach the core. */
function eventFields(payload: EventPayload & Record<string, unknown>): Record<string, unknown> {
  const { runtime: _runtime, source: _source, onComplete: _onComplete, ...event } = payload;
  return event;
}

async function captureEvent(kind: ExampleKind, payload: EventPayload & Record<string, unknown>): Promise<void> {
  const service = await serviceOf(payload.runtime, `${kind} event`);
  if (!service) return;
  try {
    await service.capture(kind, eventFields(payload) as unknown as PluginEvent);
  } catch (error) {
    service.fail(`could not capture a ${kind} event: ${(error as Error).message}`);
  }
}

/** The running service, waiting for one still starting; null (logged) when there is none. */
async function serviceOf(runtime: IAgentRuntime, what: string): Promise<SelftuneService | null> {
  const service = await awaitSelftuneService(runtime);
  if (!service) runtime.logger?.warn({ src: "plugin:selftune" }, `the selftune service is not running; a ${what} was not captured`);
  return service;
}

const onPluginSuccess = (payload: PluginSuccessPayload) => captureEvent("plugin", payload as unknown as EventPayload & Record<string, unknown>);
const onMcpSuccess = (payload: McpSuccessPayload) => captureEvent("mcp", payload as unknown as EventPayload & Record<string, unknown>);

type Data = Record<string, unknown>;

const isRecord = (value: unknown): value is Data => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/**
 * The generation an action reported in its result's `data`: the seed's event shape
 * (`{ originalRequest, outcome: { files, ... } }`) or the flat one
 * (`{ request?, files, pluginName | mcpName, description?, dependencies?, tools?, duration? }`).
 */
function generationOf(data: Data): { request?: string; outcome: Data; executionTime?: number; tokensUsed?: number } | null {
  const outcome = isRecord(data.outcome) ? data.outcome : data;
  if (!Array.isArray(outcome.files)) return null;
  return {
    request: text(data.originalRequest) ?? text(data.request) ?? text(data.prompt),
    outcome,
    executionTime: number(data.executionTime) ?? number(data.duration) ?? number(data.durationMs),
    tokensUsed: number(data.tokensUsed),
  };
}

/** The request that triggered the action: the newest message in the room not from the agent. */
async function triggeringRequest(runtime: IAgentRuntime, roomId: string): Promise<string | undefined> {
  const memories: Memory[] = await runtime.getMemories({ tableName: "messages", roomId: roomId as Memory["roomId"], count: 20 });
  const fromUser = memories
    .filter((memory) => memory.entityId !== runtime.agentId && text(memory.content?.text))
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  return fromUser[0]?.content.text;
}

/** Builds the core's event from an action's result, or says why it cannot. */
function actionEvent(
  kind: ExampleKind,
  generation: NonNullable<ReturnType<typeof generationOf>>,
  request: string,
  actionId: string | undefined,
): PluginEvent | McpEvent {
  const { outcome } = generation;
  const files = outcome.files as GeneratedFile[];
  const common = {
    ...(actionId ? { id: actionId } : {}),
    originalRequest: request,
    ...(generation.executionTime !== undefined ? { executionTime: generation.executionTime } : {}),
    ...(generation.tokensUsed !== undefined ? { tokensUsed: generation.tokensUsed } : {}),
  };
  const description = text(outcome.description);
  if (kind === "plugin") {
    const plugin: PluginOutcome = { success: true, files };
    const name = text(outcome.pluginName) ?? text(outcome.name);
    if (name) plugin.pluginName = name;
    if (description) plugin.description = description;
    if (outcome.dependencies !== undefined) plugin.dependencies = outcome.dependencies as PluginOutcome["dependencies"];
    return { ...common, outcome: plugin };
  }
  const mcp: McpOutcome = { success: true, files };
  const name = text(outcome.mcpName) ?? text(outcome.serverName) ?? text(outcome.name);
  if (name) mcp.mcpName = name;
  if (description) mcp.description = description;
  if (Array.isArray(outcome.tools)) mcp.tools = outcome.tools as McpOutcome["tools"];
  return { ...common, outcome: mcp };
}

async function onActionCompleted(payload: ActionEventPayload): Promise<void> {
  const content = payload.content ?? {};
  if (content.actionStatus !== "completed") return;
  const actions = (Array.isArray(content.actions) ? content.actions : []).map((name) => String(name).toUpperCase());
  const service = await serviceOf(payload.runtime, "completed action");
  if (!service) return;
  const kind: ExampleKind | null = actions.some((name) => service.settings.pluginActions.includes(name))
    ? "plugin"
    : actions.some((name) => service.settings.mcpActions.includes(name))
      ? "mcp"
      : null;
  if (kind === null) return;
  const action = actions.join(",");
  try {
    const result = isRecord(content.actionResult) ? content.actionResult : {};
    if (result.success === false) return;
    const generation = isRecord(result.data) ? generationOf(result.data) : null;
    if (!generation) {
      service.fail(`action ${action} completed without files in its result's data (data.files or data.outcome.files); nothing was captured`);
      return;
    }
    const request = generation.request ?? (payload.roomId ? await triggeringRequest(payload.runtime, payload.roomId) : undefined);
    if (!request) {
      service.fail(`action ${action} completed but no request was found (data.request, or a message in room ${payload.roomId}); nothing was captured`);
      return;
    }
    const actionId = text(content.actionId);
    await service.capture(kind, actionEvent(kind, generation, request, actionId));
  } catch (error) {
    service.fail(`could not capture action ${action}: ${(error as Error).message}`);
  }
}

export const selftuneEvents: PluginEvents = {
  PLUGIN_SUCCESS: [onPluginSuccess],
  MCP_SUCCESS: [onMcpSuccess],
  "plugin-success": [onPluginSuccess],
  "mcp-success": [onMcpSuccess],
  ACTION_COMPLETED: [onActionCompleted],
};
