// The emulator's HTTP server: routing under `/v1`, Bearer authentication, fault injection,
// recording of every request, and a small control API under `/_emulator/` for a process that
// runs the emulator out of process (faults and recordings).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

import { ApiError, BareError, invalid } from "./errors.js";
import type { FaultRule, Faults } from "./faults.js";
import { fileRoutes, receivePresigned } from "./files.js";
import { fineTuneRoutes } from "./fine-tunes.js";
import { inferenceRoutes } from "./inference.js";
import { parseMultipart } from "./multipart.js";
import type { Ctx, EmulatorState, Reply, Route } from "./state.js";

/** One request as the emulator received it. The Authorization header is recorded masked. */
export interface RecordedRequest {
  /** Real time it arrived, ms since the epoch. */
  at: number;
  method: string;
  /** The full path, `/v1/files/upload`. */
  path: string;
  /** The matched route in the spec's syntax, `/files/{id}`; null for an unknown path. */
  route: string | null;
  query: Record<string, string>;
  /** Lower-case names; `authorization` is `Bearer <redacted>` when one was sent. */
  headers: Record<string, string>;
  /** The parsed JSON body, when it was JSON. */
  json?: unknown;
  /** Multipart fields; file parts as `<N bytes>`. */
  form?: Record<string, string>;
  bodyBytes: number;
  /** The status answered (absent for a dropped connection). */
  status?: number;
  /** The fault applied, if any. */
  fault?: FaultRule["kind"];
}

const MAX_BODY_BYTES = 256 * 1024 * 1024;

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

const ROUTES: CompiledRoute[] = [...fileRoutes, ...fineTuneRoutes, ...inferenceRoutes].map(compile);

export interface ServerOptions {
  state: EmulatorState;
  faults: Faults;
  requests: RecordedRequest[];
  /** Accepted keys; undefined accepts any non-empty Bearer token. */
  apiKeys?: string[];
}

export function createEmulatorServer(options: ServerOptions): Server {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      // A bug in a handler: answer 500 rather than leave the client hanging.
      if (!res.headersSent) send(res, { status: 500, json: new ApiError(500, `emulator failure: ${(error as Error).message}`, "server_error").body() });
      else res.destroy();
    });
  });
  return server;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw invalid(`the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { "x-request-id": randomUUID(), ...reply.headers };
  let body: Buffer | undefined = reply.body;
  if (reply.json !== undefined) {
    body = Buffer.from(JSON.stringify(reply.json));
    headers["content-type"] ??= "application/json";
  }
  if (body !== undefined) headers["content-length"] = String(body.length);
  res.writeHead(reply.status, headers);
  res.end(body);
}

function errorReply(error: unknown): Reply {
  if (error instanceof ApiError) return { status: error.status, json: error.body() };
  if (error instanceof BareError) return { status: error.status, json: { message: error.message } };
  throw error;
}

function recordHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === "authorization" ? maskAuthorization(String(value)) : Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function maskAuthorization(value: string): string {
  return /^Bearer\s+\S/i.test(value) ? "Bearer <redacted>" : "<redacted>";
}

function recordBody(record: RecordedRequest, body: Buffer, contentType: string): void {
  if (body.length === 0) return;
  if (contentType.startsWith("application/json")) {
    try {
      record.json = JSON.parse(body.toString("utf8"));
    } catch {
      // recorded as bytes only
    }
  } else if (contentType.startsWith("multipart/form-data")) {
    try {
      const form: Record<string, string> = {};
      for (const [name, part] of parseMultipart(body, contentType)) {
        form[name] = part.filename !== undefined ? `<${part.data.length} bytes>` : part.data.toString("utf8");
      }
      record.form = form;
    } catch {
      // a malformed body is answered 400 by the route
    }
  }
}

function statusOverride(json: unknown, value: string): unknown {
  if (typeof json !== "object" || json === null) return json;
  const object = json as Record<string, unknown>;
  if (typeof object.status === "string") return { ...object, status: value };
  if (Array.isArray(object.data)) {
    return { ...object, data: object.data.map((item) => (item && typeof item === "object" && "status" in item ? { ...item, status: value } : item)) };
  }
  return json;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  const { state, faults, requests } = options;
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const method = (req.method ?? "GET").toUpperCase();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    send(res, errorReply(error));
    return;
  }

  if (url.pathname.startsWith("/_emulator/")) {
    send(res, control(method, url, body, options));
    return;
  }

  const record: RecordedRequest = {
    at: state.clock.now(),
    method,
    path: url.pathname,
    route: null,
    query: Object.fromEntries(url.searchParams),
    headers: recordHeaders(req),
    bodyBytes: body.length,
  };
  recordBody(record, body, String(req.headers["content-type"] ?? ""));
  requests.push(record);
  const reply = (answer: Reply) => {
    record.status = answer.status;
    send(res, answer);
  };

  if (!url.pathname.startsWith("/v1/")) {
    reply(errorReply(new ApiError(404, `No route ${method} ${url.pathname}: the API lives under /v1`, "invalid_request_error")));
    return;
  }
  const path = url.pathname.slice(3);
  let matched: { route: Route; params: Record<string, string> } | undefined;
  let pathExists = false;
  for (const compiled of ROUTES) {
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    pathExists = true;
    if (compiled.route.method !== method) continue;
    const params: Record<string, string> = {};
    compiled.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
    matched = { route: compiled.route, params };
    break;
  }
  if (!matched) {
    const status = pathExists ? 405 : 404;
    reply(errorReply(new ApiError(status, `No route ${method} /v1${path}`, "invalid_request_error")));
    return;
  }
  record.route = matched.route.path;

  // Faults act like the edge in front of Together: before authentication.
  const fault = faults.take(method, path);
  if (fault) record.fault = fault.kind;
  if (fault?.kind === "drop") {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === "status") {
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
    if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
    const type = fault.status === 429 ? "rate_limit_exceeded" : fault.status >= 500 ? "server_error" : "invalid_request_error";
    const message =
      fault.message ??
      (fault.status === 429
        ? "Rate limit exceeded. Please slow down."
        : fault.status === 503
          ? "The server is overloaded or not ready yet."
          : `Injected failure (HTTP ${fault.status})`);
    reply({ status: fault.status, json: new ApiError(fault.status, message, type).body(), headers });
    return;
  }
  if (fault?.kind === "slow") {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (res.destroyed || req.socket.destroyed) return;
  }

  const authorization = String(req.headers.authorization ?? "");
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!token || (options.apiKeys !== undefined && !options.apiKeys.includes(token))) {
    reply({
      status: 401,
      json: new ApiError(401, "Invalid API key provided. You can find your API key at https://api.together.ai/settings/api-keys.", "invalid_request_error", null, "invalid_api_key").body(),
    });
    return;
  }

  const ctx: Ctx = { method, path, params: matched.params, query: url.searchParams, headers: req.headers, body, state };
  let answer: Reply;
  try {
    answer = await matched.route.handler(ctx);
  } catch (error) {
    answer = errorReply(error);
  }
  if (fault?.kind === "unknown-status" && answer.json !== undefined) {
    answer = { ...answer, json: statusOverride(answer.json, fault.value ?? "model_downloading") };
  }
  reply(answer);
}

function control(method: string, url: URL, body: Buffer, options: ServerOptions): Reply {
  const path = url.pathname.slice("/_emulator".length);
  if (method === "GET" && path === "/health") return { status: 200, json: { ok: true } };
  if (method === "GET" && path === "/requests") return { status: 200, json: { data: options.requests } };
  if (method === "DELETE" && path === "/requests") {
    options.requests.length = 0;
    return { status: 204 };
  }
  if (path === "/faults") {
    if (method === "GET") return { status: 200, json: { data: options.faults.list() } };
    if (method === "DELETE") {
      options.faults.clear();
      return { status: 204 };
    }
    if (method === "POST") {
      try {
        options.faults.add(JSON.parse(body.toString("utf8")) as FaultRule | FaultRule[]);
      } catch (error) {
        return { status: 400, json: new ApiError(400, (error as Error).message).body() };
      }
      return { status: 200, json: { data: options.faults.list() } };
    }
  }
  const upload = /^\/uploads\/([^/]+)$/.exec(path);
  if (upload && method === "PUT") return receivePresigned(options.state, decodeURIComponent(upload[1]), url.searchParams.get("signature"), body);
  return { status: 404, json: new ApiError(404, `No control route ${method} ${url.pathname}`).body() };
}
