// Inference and deployment: chat completions that answer deterministically, the hardware list,
// and dedicated endpoints that start and stop on the accelerated clock.

import { createHash } from "node:crypto";

import { findModel, fits, HARDWARE, type ModelInfo } from "./catalog.js";
import { iso } from "./clock.js";
import { ApiError, invalid, notFound } from "./errors.js";
import { completedOutputs } from "./fine-tunes.js";
import { jsonBody, newId, ok, optionalString, requiredString, type Ctx, type EmulatorState, type EndpointRecord, type Route } from "./state.js";

/** Emulated seconds of endpoint transitions. */
export const ENDPOINT_PHASES = { pending: 20, starting: 60, stopping: 20 };

function endpointState(state: EmulatorState, endpoint: EndpointRecord): string {
  const now = state.clock.now();
  let current = "PENDING";
  for (const step of endpoint.states) if (step.atMs <= now) current = step.state;
  return current;
}

/** Schedules the states that follow `first`, from now. */
function transition(state: EmulatorState, endpoint: EndpointRecord, target: "STARTED" | "STOPPED", fresh: boolean): void {
  const now = state.clock.now();
  const at = (seconds: number) => state.clock.realAt(now, seconds);
  endpoint.states = endpoint.states.filter((step) => step.atMs <= now);
  if (target === "STARTED") {
    if (fresh) {
      endpoint.states.push({ atMs: now, state: "PENDING" });
      endpoint.states.push({ atMs: at(ENDPOINT_PHASES.pending), state: "STARTING" });
      endpoint.states.push({ atMs: at(ENDPOINT_PHASES.pending + ENDPOINT_PHASES.starting), state: "STARTED" });
    } else {
      endpoint.states.push({ atMs: now, state: "STARTING" });
      endpoint.states.push({ atMs: at(ENDPOINT_PHASES.starting), state: "STARTED" });
    }
  } else if (fresh) {
    endpoint.states.push({ atMs: now, state: "STOPPED" });
  } else {
    endpoint.states.push({ atMs: now, state: "STOPPING" });
    endpoint.states.push({ atMs: at(ENDPOINT_PHASES.stopping), state: "STOPPED" });
  }
}

function endpointJson(state: EmulatorState, endpoint: EndpointRecord): Record<string, unknown> {
  return {
    object: "endpoint",
    id: endpoint.id,
    name: endpoint.name,
    display_name: endpoint.displayName,
    model: endpoint.model,
    hardware: endpoint.hardware,
    type: "dedicated",
    owner: state.owner,
    state: endpointState(state, endpoint),
    autoscaling: endpoint.autoscaling,
    inactive_timeout: endpoint.inactiveTimeout,
    created_at: iso(endpoint.createdMs),
  };
}

/** The base model a served model runs on: itself, or the base of a completed fine-tune. */
function servedBase(state: EmulatorState, model: string): ModelInfo | undefined {
  const base = findModel(model);
  if (base) return base;
  const job = completedOutputs(state).get(model);
  return job ? findModel(job.model) : undefined;
}

function hardwareJson(state: EmulatorState, id: string) {
  const hardware = HARDWARE.find((h) => h.id === id)!;
  return {
    object: "hardware",
    id: hardware.id,
    pricing: { cents_per_minute: hardware.centsPerMinute },
    specs: { gpu_type: hardware.gpuType, gpu_link: "sxm", gpu_memory: hardware.gpuMemoryGb, gpu_count: hardware.gpuCount },
    availability: { status: hardware.availability },
    updated_at: iso(state.clock.now()),
  };
}

function listHardware(ctx: Ctx) {
  const model = ctx.query.get("model");
  if (model === null) return ok({ object: "list", data: HARDWARE.map((h) => hardwareJson(ctx.state, h.id)) });
  const base = servedBase(ctx.state, model);
  if (!base || !base.deployable) throw notFound(`Model ${model} cannot be hosted on a dedicated endpoint`, "model_not_found");
  return ok({ object: "list", data: HARDWARE.filter((h) => fits(h, base)).map((h) => hardwareJson(ctx.state, h.id)) });
}

function autoscalingOf(value: unknown): { min_replicas: number; max_replicas: number } {
  const scaling = value as { min_replicas?: unknown; max_replicas?: unknown } | null;
  const whole = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (typeof scaling !== "object" || scaling === null || !whole(scaling.min_replicas) || !whole(scaling.max_replicas)) {
    throw invalid("autoscaling needs whole numbers min_replicas and max_replicas", "autoscaling");
  }
  const min = scaling.min_replicas as number;
  const max = scaling.max_replicas as number;
  if (max < 1 || min > max) throw invalid("autoscaling needs 0 <= min_replicas <= max_replicas and max_replicas >= 1", "autoscaling");
  return { min_replicas: min, max_replicas: max };
}

function targetState(value: unknown): "STARTED" | "STOPPED" | undefined {
  if (value === undefined || value === null) return undefined;
  if (value !== "STARTED" && value !== "STOPPED") throw invalid("state must be STARTED or STOPPED", "state");
  return value;
}

function inactiveTimeout(body: Record<string, unknown>): number | null | undefined {
  const value = body.inactive_timeout;
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw invalid("inactive_timeout must be a whole number of minutes", "inactive_timeout");
  return value;
}

function createEndpoint(ctx: Ctx) {
  const { state } = ctx;
  const body = jsonBody(ctx);
  const model = requiredString(body, "model");
  const hardwareId = requiredString(body, "hardware");
  const base = servedBase(state, model);
  if (!base) throw invalid(`Model ${model} is not available for dedicated endpoints`, "model", "model_not_available");
  if (!base.deployable) throw invalid(`${model} can be fine-tuned but not deployed on a dedicated endpoint`, "model");
  const hardware = HARDWARE.find((h) => h.id === hardwareId);
  if (!hardware) throw invalid(`Unknown hardware ${hardwareId}`, "hardware");
  if (!fits(hardware, base)) throw invalid(`${hardwareId} cannot hold ${model}`, "hardware");
  if (body.autoscaling === undefined) throw invalid("autoscaling is required", "autoscaling");
  const autoscaling = autoscalingOf(body.autoscaling);
  const shortId = Math.random().toString(16).slice(2, 10);
  const endpoint: EndpointRecord = {
    id: newId("endpoint"),
    name: `${state.owner}/${model.split("/").pop()}-${shortId}`,
    displayName: optionalString(body, "display_name") ?? model,
    model,
    hardware: hardwareId,
    createdMs: state.clock.now(),
    autoscaling,
    inactiveTimeout: inactiveTimeout(body) ?? null,
    states: [],
  };
  transition(state, endpoint, targetState(body.state) ?? "STARTED", true);
  state.endpoints.set(endpoint.id, endpoint);
  return ok(endpointJson(state, endpoint));
}

function lookupEndpoint(ctx: Ctx): EndpointRecord {
  const endpoint = ctx.state.endpoints.get(ctx.params.endpointId);
  if (!endpoint) throw notFound(`Endpoint ${ctx.params.endpointId} not found`);
  return endpoint;
}

function updateEndpoint(ctx: Ctx) {
  const { state } = ctx;
  const endpoint = lookupEndpoint(ctx);
  const body = jsonBody(ctx);
  const displayName = optionalString(body, "display_name");
  if (displayName !== undefined) endpoint.displayName = displayName;
  if (body.autoscaling !== undefined) endpoint.autoscaling = autoscalingOf(body.autoscaling);
  const timeout = inactiveTimeout(body);
  if (timeout !== undefined) endpoint.inactiveTimeout = timeout;
  const target = targetState(body.state);
  const current = endpointState(state, endpoint);
  if (target === "STOPPED" && current !== "STOPPED" && current !== "STOPPING") transition(state, endpoint, "STOPPED", false);
  if (target === "STARTED" && current !== "STARTED" && current !== "STARTING" && current !== "PENDING") transition(state, endpoint, "STARTED", false);
  return ok(endpointJson(state, endpoint));
}

/** Words of a text, lower case, for the nearest-example lookup. */
function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z0-9_]+/g) ?? []);
}

/** The user request and the completion of one training line (instruction or messages format). */
function trainedPair(line: string): { request: string; answer: string } | null {
  try {
    const row = JSON.parse(line) as { prompt?: unknown; completion?: unknown; messages?: { role?: string; content?: string; reasoning?: string }[] };
    if (typeof row.prompt === "string" && typeof row.completion === "string") {
      return { request: row.prompt, answer: row.completion.replace(/<｜end▁of▁sentence｜>$/, "") };
    }
    const user = row.messages?.find((m) => m.role === "user");
    const assistant = row.messages?.find((m) => m.role === "assistant");
    if (user?.content && assistant?.content) {
      const think = assistant.reasoning ? `<think>\n${assistant.reasoning}\n</think>\n\n` : "";
      return { request: user.content, answer: think + assistant.content };
    }
  } catch {
    // not a training line
  }
  return null;
}

/**
 * A fine-tune "remembers" its training data: it answers with the completion of the training line
 * whose request shares the most words with this one. The emulator runs no model; this only gives
 * an evaluation a fine-tune whose answers are in the trained format, deterministically.
 */
function learnedReply(state: EmulatorState, servedModel: string, request: string): string | null {
  const job = completedOutputs(state).get(servedModel);
  const data = job ? state.files.get(job.trainingFile)?.data : null;
  if (!data) return null;
  const want = words(request);
  let best: { score: number; answer: string } | null = null;
  for (const line of data.toString("utf8").split("\n")) {
    const pair = trainedPair(line);
    if (!pair) continue;
    let score = 0;
    for (const w of words(pair.request)) if (want.has(w)) score += 1;
    if (!best || score > best.score) best = { score, answer: pair.answer };
  }
  return best?.answer ?? null;
}

function chat(ctx: Ctx) {
  const { state } = ctx;
  const body = jsonBody(ctx);
  const model = requiredString(body, "model");
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw invalid("messages must be a non-empty list", "messages");
  for (const [i, message] of messages.entries()) {
    const m = message as { role?: unknown; content?: unknown };
    if (typeof m !== "object" || m === null || typeof m.role !== "string") throw invalid(`messages[${i}] needs a role`, `messages[${i}].role`);
  }
  if (body.stream === true) throw invalid("the emulator does not stream; send stream: false", "stream");
  const endpoint = [...state.endpoints.values()].find((e) => e.name === model);
  if (endpoint) {
    if (endpointState(state, endpoint) !== "STARTED") {
      throw new ApiError(400, `Dedicated endpoint ${model} is not running. Start it and try again.`, "invalid_request_error", "model", "dedicated_endpoint_not_running");
    }
  } else if (completedOutputs(state).has(model)) {
    throw new ApiError(
      400,
      `Unable to access non-serverless model ${model}. Create and start a dedicated endpoint for the model.`,
      "invalid_request_error",
      "model",
      "model_not_available",
    );
  } else if (!findModel(model)) {
    throw new ApiError(404, `Unable to access model ${model}.`, "invalid_request_error", "model", "model_not_available");
  }
  const digest = createHash("sha256").update(JSON.stringify([model, messages])).digest("hex");
  const promptChars = messages.reduce((n: number, m: { content?: unknown }) => n + (typeof m.content === "string" ? m.content.length : 0), 0);
  const lastUser = [...messages].reverse().find((m: { role?: unknown }) => m.role === "user") as { content?: unknown } | undefined;
  const learned = endpoint ? learnedReply(state, endpoint.model, typeof lastUser?.content === "string" ? lastUser.content : "") : null;
  const content =
    learned ?? `<think>\nThe Together emulator runs no model; this reply is derived from the request.\n</think>\n\nEmulated reply ${digest.slice(0, 12)} from ${model}.`;
  const promptTokens = Math.ceil(promptChars / 4);
  const completionTokens = Math.ceil(content.length / 4);
  return ok({
    id: `chatcmpl-${digest.slice(0, 24)}`,
    object: "chat.completion",
    created: Math.floor(state.clock.now() / 1000),
    model,
    prompt: [],
    choices: [{ index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", content, tool_calls: [] } }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  });
}

export const inferenceRoutes: Route[] = [
  { method: "POST", path: "/chat/completions", handler: chat },
  { method: "GET", path: "/hardware", handler: listHardware },
  {
    method: "GET",
    path: "/endpoints",
    handler: (ctx) =>
      ok({
        object: "list",
        data: [...ctx.state.endpoints.values()].map((e) => {
          const { object: _object, display_name: _name, autoscaling: _scaling, inactive_timeout: _timeout, ...rest } = endpointJson(ctx.state, e);
          return { object: "endpoint", ...rest };
        }),
      }),
  },
  { method: "POST", path: "/endpoints", handler: createEndpoint },
  { method: "GET", path: "/endpoints/{endpointId}", handler: (ctx) => ok(endpointJson(ctx.state, lookupEndpoint(ctx))) },
  { method: "PATCH", path: "/endpoints/{endpointId}", handler: updateEndpoint },
  {
    method: "DELETE",
    path: "/endpoints/{endpointId}",
    handler: (ctx) => {
      ctx.state.endpoints.delete(lookupEndpoint(ctx).id);
      return { status: 204 };
    },
  },
];
