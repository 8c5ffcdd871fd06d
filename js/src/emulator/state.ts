// What the emulator holds, and the shape of its route handlers.

import type { IncomingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";

import type { EmulatorClock } from "./clock.js";
import { invalid } from "./errors.js";
import type { DatasetCheck } from "./validation.js";

export interface FileRecord {
  id: string;
  filename: string;
  purpose: string;
  fileType: string;
  /** Null until the bytes arrive (the presigned-upload flow sends them separately). */
  data: Buffer | null;
  createdMs: number;
  uploadedMs: number | null;
  check: DatasetCheck | null;
}

export interface JobEvent {
  /** Emulated seconds after the job was created. */
  at: number;
  type: string;
  message: string;
  level?: string;
  step?: number;
  checkpointPath?: string;
}

export interface JobRecord {
  id: string;
  createdMs: number;
  request: Record<string, unknown>;
  model: string;
  trainingFile: string;
  validationFile?: string;
  suffix?: string;
  nEpochs: number;
  nCheckpoints: number;
  nEvals: number;
  batchSize: number | "max";
  learningRate: number;
  full: boolean;
  dpo: boolean;
  stepsPerEpoch: number;
  totalSteps: number;
  tokenCount: number;
  ratePerMillion: number;
  outputName: string;
  /** Emulated seconds after creation at which each status begins. */
  timeline: Array<{ at: number; status: string }>;
  events: JobEvent[];
  cancelledAt?: number;
}

export interface EndpointRecord {
  id: string;
  name: string;
  displayName: string;
  model: string;
  hardware: string;
  createdMs: number;
  autoscaling: { min_replicas: number; max_replicas: number };
  inactiveTimeout: number | null;
  /** Real instants at which each state begins. */
  states: Array<{ atMs: number; state: string }>;
}

export interface EmulatorState {
  clock: EmulatorClock;
  owner: string;
  creditLimitUsd: number;
  origin: string;
  files: Map<string, FileRecord>;
  jobs: Map<string, JobRecord>;
  endpoints: Map<string, EndpointRecord>;
  uploadTokens: Map<string, string>;
}

export interface Ctx {
  method: string;
  /** Without the `/v1` prefix. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  state: EmulatorState;
}

export interface Reply {
  status: number;
  json?: unknown;
  body?: Buffer;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  /** In the spec's syntax: `/files/{id}`. */
  path: string;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export function ok(json: unknown, status = 200): Reply {
  return { status, json };
}

/** The request body as a JSON object, or a 400. */
export function jsonBody(ctx: Ctx): Record<string, unknown> {
  if (ctx.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(ctx.body.toString("utf8"));
  } catch {
    throw invalid("the request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("the request body must be a JSON object");
  return value as Record<string, unknown>;
}

export function optionalInteger(body: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const value = body[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) throw invalid(`${key} must be an integer`, key);
  if (value < min || value > max) throw invalid(`${key} must be between ${min} and ${max} (got ${value})`, key);
  return value;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${key} must be a string`, key);
  return value;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined || value.trim() === "") throw invalid(`${key} is required`, key);
  return value;
}
