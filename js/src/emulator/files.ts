// Files: the direct multipart upload of the spec, the presigned-redirect upload the SDKs use,
// retrieve, list, delete and content; and the server-side validation that turns an upload into
// `processing_status` and `validation_report` after a while (on the accelerated clock).

import { randomBytes } from "node:crypto";

import { invalid, notFound } from "./errors.js";
import { parseMultipart } from "./multipart.js";
import { newId, ok, type Ctx, type EmulatorState, type FileRecord, type Reply, type Route } from "./state.js";
import { checkDataset } from "./validation.js";

export const PURPOSES = ["fine-tune", "eval", "eval-sample", "eval-output", "eval-summary", "batch-generated", "batch-api"];
export const FILE_TYPES = ["jsonl", "parquet", "csv"];

/** Emulated seconds an upload spends in each state before its validation result shows. */
const PENDING_SECONDS = 5;
const QUEUED_SECONDS = 5;
const RUNNING_SECONDS = 20;
/** More for bigger files: this many emulated seconds per MiB. */
const SECONDS_PER_MIB = 30;

export function processingStatus(state: EmulatorState, file: FileRecord): string {
  if (file.uploadedMs === null || file.data === null) return "PENDING";
  const elapsed = state.clock.elapsed(file.uploadedMs);
  if (elapsed < PENDING_SECONDS) return "PENDING";
  if (elapsed < PENDING_SECONDS + QUEUED_SECONDS) return "QUEUED";
  const running = RUNNING_SECONDS + (file.data.length / (1 << 20)) * SECONDS_PER_MIB;
  if (elapsed < PENDING_SECONDS + QUEUED_SECONDS + running) return "RUNNING";
  return file.check?.valid ? "COMPLETED" : "INVALID_FORMAT";
}

export function fileJson(state: EmulatorState, file: FileRecord): Record<string, unknown> {
  const status = processingStatus(state, file);
  const done = status === "COMPLETED" || status === "INVALID_FORMAT";
  const check = file.check;
  const json: Record<string, unknown> = {
    id: file.id,
    object: "file",
    created_at: Math.floor(file.createdMs / 1000),
    filename: file.filename,
    bytes: file.data?.length ?? 0,
    purpose: file.purpose,
    Processed: status === "COMPLETED",
    FileType: file.fileType,
    LineCount: done && check ? check.lines : 0,
    processing_status: status,
  };
  if (done && check) {
    json.validation_report = {
      file_id: file.id,
      valid: check.valid,
      nlines: check.lines,
      dataset_format: check.format ?? null,
      dataset_has_reasoning: check.hasReasoning,
      dataset_has_tools: check.hasTools,
      dataset_has_message_weights: check.hasMessageWeights,
      dataset_has_sample_weights: check.hasSampleWeights,
      dataset_is_multimodal: false,
      dataset_has_parallel_tool_calls: false,
      error: check.valid ? null : (check.error ?? "invalid file"),
      error_type: check.valid ? null : "INVALID_FORMAT",
    };
  }
  return json;
}

function receive(state: EmulatorState, file: FileRecord, data: Buffer): void {
  file.data = data;
  file.uploadedMs = state.clock.now();
  file.check = checkDataset(data, file.purpose, file.fileType);
}

function checkPurposeAndType(purpose: string, fileType: string): void {
  if (!PURPOSES.includes(purpose)) throw invalid(`purpose must be one of ${PURPOSES.join(", ")} (got '${purpose}')`, "purpose");
  if (!FILE_TYPES.includes(fileType)) throw invalid(`file_type must be one of ${FILE_TYPES.join(", ")} (got '${fileType}')`, "file_type");
}

function fileTypeOf(name: string): string {
  const match = /\.(jsonl|parquet|csv)$/i.exec(name);
  return match ? match[1].toLowerCase() : "jsonl";
}

function uploadMultipart(ctx: Ctx): Reply {
  const contentType = String(ctx.headers["content-type"] ?? "");
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw invalid("POST /files/upload takes multipart/form-data (fields purpose, file_name, file)");
  }
  const parts = parseMultipart(ctx.body, contentType);
  const text = (name: string) => parts.get(name)?.data.toString("utf8");
  const purpose = text("purpose");
  const fileName = text("file_name");
  const file = parts.get("file");
  if (purpose === undefined) throw invalid("purpose is required", "purpose");
  if (fileName === undefined || fileName.trim() === "") throw invalid("file_name is required", "file_name");
  if (file === undefined) throw invalid("file is required", "file");
  const fileType = text("file_type") ?? fileTypeOf(fileName);
  checkPurposeAndType(purpose, fileType);
  if (file.data.length === 0) throw invalid("the file is empty", "file");
  const record: FileRecord = {
    id: newId("file"),
    filename: fileName,
    purpose,
    fileType,
    data: null,
    createdMs: ctx.state.clock.now(),
    uploadedMs: null,
    check: null,
  };
  receive(ctx.state, record, Buffer.from(file.data));
  ctx.state.files.set(record.id, record);
  return ok(fileJson(ctx.state, record));
}

/** `POST /files`: the SDKs' first step. Answers 302 with where to PUT the bytes. */
function uploadPresigned(ctx: Ctx): Reply {
  const params = new URLSearchParams(ctx.query);
  const contentType = String(ctx.headers["content-type"] ?? "");
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(ctx.body.toString("utf8"))) if (!params.has(key)) params.set(key, value);
  } else if (contentType.startsWith("multipart/form-data")) {
    for (const [key, part] of parseMultipart(ctx.body, contentType)) if (!params.has(key)) params.set(key, part.data.toString("utf8"));
  }
  const fileName = params.get("file_name");
  const purpose = params.get("purpose") ?? "fine-tune";
  if (!fileName) throw invalid("file_name is required", "file_name");
  const fileType = params.get("file_type") ?? fileTypeOf(fileName);
  checkPurposeAndType(purpose, fileType);
  const record: FileRecord = {
    id: newId("file"),
    filename: fileName,
    purpose,
    fileType,
    data: null,
    createdMs: ctx.state.clock.now(),
    uploadedMs: null,
    check: null,
  };
  ctx.state.files.set(record.id, record);
  const token = randomBytes(16).toString("hex");
  ctx.state.uploadTokens.set(record.id, token);
  return {
    status: 302,
    headers: {
      location: `${ctx.state.origin}/_emulator/uploads/${record.id}?signature=${token}`,
      "x-together-file-id": record.id,
    },
  };
}

/** The presigned target: `PUT /_emulator/uploads/{id}?signature=...` (no Authorization, like S3). */
export function receivePresigned(state: EmulatorState, id: string, signature: string | null, body: Buffer): Reply {
  const file = state.files.get(id);
  if (!file || state.uploadTokens.get(id) !== signature) return { status: 403, body: Buffer.from("SignatureDoesNotMatch") };
  if (body.length === 0) return { status: 400, body: Buffer.from("EmptyBody") };
  state.uploadTokens.delete(id);
  receive(state, file, body);
  return { status: 200, body: Buffer.alloc(0) };
}

function lookup(ctx: Ctx): FileRecord {
  const file = ctx.state.files.get(ctx.params.id);
  if (!file) throw notFound(`File ${ctx.params.id} not found`, "file_not_found");
  return file;
}

export const fileRoutes: Route[] = [
  { method: "POST", path: "/files/upload", handler: uploadMultipart },
  { method: "POST", path: "/files", handler: uploadPresigned },
  {
    method: "GET",
    path: "/files",
    handler: (ctx) => ok({ object: "list", data: [...ctx.state.files.values()].map((file) => fileJson(ctx.state, file)) }),
  },
  { method: "GET", path: "/files/{id}", handler: (ctx) => ok(fileJson(ctx.state, lookup(ctx))) },
  {
    method: "DELETE",
    path: "/files/{id}",
    handler: (ctx) => {
      const file = lookup(ctx);
      ctx.state.files.delete(file.id);
      return ok({ id: file.id, deleted: true });
    },
  },
  {
    method: "GET",
    path: "/files/{id}/content",
    handler: (ctx) => {
      const file = lookup(ctx);
      return { status: 200, body: file.data ?? Buffer.alloc(0), headers: { "content-type": "text/plain" } };
    },
  },
];
