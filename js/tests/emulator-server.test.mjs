// The Together emulator on its own, over plain fetch: Together's shapes and status codes, Bearer
// auth, server-side validation of uploads, the job lifecycle on a clock the test moves by hand,
// prices, serving, faults and the control API, and the CLI command.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

import { startEmulator } from "selftune";
import { CLI } from "./support/helpers.mjs";

const KEY = "test-key-not-real-emulator";
const SMALL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";
const LARGE = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B";

let now = Date.parse("2026-11-26T12:00:00Z");
const clock = () => now;
/** Moves the emulator's clock (speed 1: emulated seconds are real seconds). */
const advance = (seconds) => (now += seconds * 1000);

const emulator = await startEmulator({ speed: 1, now: clock });
after(() => emulator.close());

async function api(method, path, { json, body, headers = {}, key = KEY, base = emulator.baseUrl } = {}) {
  const init = { method, headers: { ...headers }, redirect: "manual" };
  if (key !== null) init.headers.authorization = `Bearer ${key}`;
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["content-type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  return { status: response.status, headers: response.headers, data };
}

function jsonl(samples) {
  return `${samples.map((sample) => (typeof sample === "string" ? sample : JSON.stringify(sample))).join("\n")}\n`;
}

const chat = (user, assistant) => ({ messages: [{ role: "user", content: user }, { role: "assistant", content: assistant }] });

async function upload(text, fileName = "train.jsonl", purpose = "fine-tune") {
  const form = new FormData();
  form.append("purpose", purpose);
  form.append("file_name", fileName);
  form.append("file", new Blob([text]), fileName);
  return api("POST", "/files/upload", { body: form });
}

/** Uploads and lets validation finish. */
async function validatedFile(text = jsonl([chat("a", "b"), chat("c", "d"), chat("e", "f"), chat("g", "h")])) {
  const { status, data } = await upload(text);
  assert.equal(status, 200, JSON.stringify(data));
  advance(31);
  return (await api("GET", `/files/${data.id}`)).data;
}

test("Bearer auth, Together's error body, and unknown routes", async () => {
  const anonymous = await api("GET", "/files", { key: null });
  assert.equal(anonymous.status, 401);
  assert.deepEqual(Object.keys(anonymous.data.error).sort(), ["code", "message", "param", "type"]);
  assert.equal(anonymous.data.error.code, "invalid_api_key");
  assert.equal((await api("GET", "/files", { headers: { authorization: "Basic abc" }, key: null })).status, 401);
  assert.equal((await api("GET", "/files")).status, 200);
  assert.equal((await api("GET", "/no-such-thing")).status, 404);
  assert.equal((await api("PUT", "/fine-tunes")).status, 405);
  const outside = await fetch(`${emulator.baseUrl.replace("/v1", "")}/files`);
  assert.equal(outside.status, 404);

  const strict = await startEmulator({ apiKeys: ["the-right-key-not-real"] });
  try {
    assert.equal((await api("GET", "/files", { base: strict.baseUrl })).status, 401);
    assert.equal((await api("GET", "/files", { base: strict.baseUrl, key: "the-right-key-not-real" })).status, 200);
  } finally {
    await strict.close();
  }
  await assert.rejects(startEmulator({ host: "0.0.0.0" }), /loopback only/);
  // Recorded requests never hold the key.
  assert.ok(emulator.requests.length > 0);
  assert.ok(!JSON.stringify(emulator.requests).includes(KEY));
});

test("an upload is validated on the server after a while, like Together's", async () => {
  const { status, data } = await upload(jsonl([chat("a", "b"), { messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a", reasoning: "because" }] }]));
  assert.equal(status, 200);
  assert.equal(data.object, "file");
  assert.equal(data.FileType, "jsonl");
  assert.equal(data.Processed, false);
  assert.equal(data.processing_status, "PENDING");
  assert.equal(data.validation_report, undefined);
  const seen = [];
  for (const seconds of [0, 6, 10, 20]) {
    advance(seconds);
    seen.push((await api("GET", `/files/${data.id}`)).data.processing_status);
  }
  assert.deepEqual(seen, ["PENDING", "QUEUED", "RUNNING", "COMPLETED"]);
  const done = (await api("GET", `/files/${data.id}`)).data;
  assert.equal(done.Processed, true);
  assert.equal(done.LineCount, 2);
  assert.equal(done.validation_report.valid, true);
  assert.equal(done.validation_report.dataset_format, "conversation");
  assert.equal(done.validation_report.dataset_has_reasoning, true);
  const content = await fetch(`${emulator.baseUrl}/files/${data.id}/content`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.match(await content.text(), /"reasoning":"because"/);
  const deleted = await api("DELETE", `/files/${data.id}`);
  assert.deepEqual(deleted.data, { id: data.id, deleted: true });
  assert.equal((await api("GET", `/files/${data.id}`)).status, 404);
});

test("server-side validation reports the first problem with its line", async () => {
  const cases = [
    [jsonl([chat("a", "b"), "{not json"]), /^Line 2: Error parsing json payload/],
    [jsonl([chat("a", "b"), { text: "plain" }]), /^Line 2: all samples must have the same dataset format/],
    [jsonl([{ text: "x", prompt: "p", completion: "c" }]), /^Line 1: found multiple dataset formats \(general, instruction\)/],
    [jsonl([{ input: "x" }]), /^Line 1: could not detect a format/],
    [jsonl([chat("a", "b"), { messages: [{ role: "user", content: "hi" }, { content: "no role" }] }]), /^Line 2: messages\[1\] must contain a role field/],
    [jsonl([{ messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }, { role: "assistant", content: "c" }] }]), /roles must alternate/],
    [jsonl([{ messages: [{ role: "user", content: "a" }] }]), /at least one assistant message/],
    [jsonl([{ messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b", weight: 2 }] }]), /weight must be 0 or 1/],
    [jsonl([{ messages: [{ role: "robot", content: "a" }] }]), /role must be one of/],
    [jsonl([{ prompt: "p", completion: "c", weight: -1 }]), /weight must be a number of at least 0/],
    [jsonl([{ prompt: "p", completion: 7 }]), /completion must be a string/],
    [jsonl([{ input: { messages: [{ role: "user", content: "q" }] }, preferred_output: [], non_preferred_output: [] }]), /preferred_output must be a list of exactly one message/],
    [Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), /^File is not UTF-8 encoded/],
  ];
  const ids = [];
  for (const [text] of cases) ids.push((await upload(text)).data.id);
  advance(31);
  for (const [i, [, expected]] of cases.entries()) {
    const file = (await api("GET", `/files/${ids[i]}`)).data;
    assert.equal(file.processing_status, "INVALID_FORMAT", `case ${i}`);
    assert.equal(file.validation_report.valid, false);
    assert.equal(file.validation_report.error_type, "INVALID_FORMAT");
    assert.match(file.validation_report.error, expected, `case ${i}`);
  }
  const preference = await validatedFile(
    jsonl([{ input: { messages: [{ role: "user", content: "q" }] }, preferred_output: [{ role: "assistant", content: "good" }], non_preferred_output: [{ role: "assistant", content: "bad" }] }]),
  );
  assert.equal(preference.validation_report.dataset_format, "preference");
  const empty = await upload("");
  assert.equal(empty.status, 400);
  assert.equal(empty.data.error.param, "file");
  const purpose = await upload(jsonl([chat("a", "b")]), "x.jsonl", "training");
  assert.equal(purpose.status, 400);
  assert.equal(purpose.data.error.param, "purpose");
});

test("a job moves pending → queued → running → compressing → uploading → completed, with events, checkpoints and falling loss", async () => {
  const file = await validatedFile();
  const created = await api("POST", "/fine-tunes", { json: { training_file: file.id, model: SMALL, n_epochs: 2, n_checkpoints: 2, suffix: "life" } });
  assert.equal(created.status, 200, JSON.stringify(created.data));
  const job = created.data;
  assert.equal(job.status, "pending");
  assert.equal(job.total_price, 0);
  assert.match(job.model_output_name, /^selftune-emulator\/DeepSeek-R1-Distill-Qwen-1\.5B-life-/);
  // 4 lines, batch "max" (16): 2 steps an epoch, 4 steps; 85 s to start, 6 s a step, 45 + 45 s after.
  const statusAt = [];
  for (const [seconds, expected] of [
    [0, "pending"],
    [30, "queued"],
    [30, "running"],
    [25 + 24, "compressing"],
    [45, "uploading"],
    [45, "completed"],
  ]) {
    advance(seconds);
    const current = (await api("GET", `/fine-tunes/${job.id}`)).data;
    statusAt.push(current.status);
    assert.equal(current.status, expected, `after ${seconds}s more`);
  }
  const done = (await api("GET", `/fine-tunes/${job.id}`)).data;
  assert.ok(Number.isInteger(done.total_price) && done.total_price > 0, "total_price is whole nano-dollars");
  assert.equal(done.epochs_completed, 2);
  assert.equal(done.trainingfile_numlines, 4);
  assert.match(done.model_output_path, /^s3:\/\//);
  assert.equal(done.progress.seconds_remaining, 0);
  const events = (await api("GET", `/fine-tunes/${job.id}/events`)).data.data;
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 3), ["job_pending", "job_start", "model_downloading"]);
  assert.equal(types.at(-1), "job_complete");
  assert.equal(types.filter((t) => t === "epoch_complete").length, 2);
  assert.equal(types.filter((t) => t === "checkpoint_save").length, 1);
  const times = events.map((e) => Date.parse(e.created_at));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  const checkpoints = (await api("GET", `/fine-tunes/${job.id}/checkpoints`)).data.data;
  assert.deepEqual(checkpoints.map((c) => c.step), [4, 2]);
  const metrics = (await api("GET", `/fine-tunes/${job.id}/metrics`)).data.metrics;
  assert.deepEqual(metrics.map((m) => m["train/global_step"]), [1, 2, 3, 4]);
  const losses = metrics.map((m) => m["train/loss"]);
  assert.ok(losses.every((loss, i) => i === 0 || loss < losses[i - 1]), losses.join(", "));
  const window = (await api("GET", `/fine-tunes/${job.id}/metrics?global_step_from=2&global_step_to=3`)).data.metrics;
  assert.deepEqual(window.map((m) => m["train/global_step"]), [2, 3]);
  const listed = (await api("GET", "/fine-tunes")).data.data.find((j) => j.id === job.id);
  assert.equal(listed.status, "completed");
  assert.deepEqual(listed.events, []);

  const archive = await fetch(`${emulator.baseUrl}/finetune/download?ft_id=${job.id}&checkpoint=merged`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(archive.status, 200);
  assert.match(archive.headers.get("content-disposition"), /\.tar\.zst"$/);
  assert.equal((await api("GET", `/finetune/download?ft_id=${job.id}`)).status, 400);
  assert.equal((await api("GET", `/finetune/download?ft_id=${job.id}&checkpoint=weights`)).status, 400);
  assert.equal((await api("GET", `/finetune/download?ft_id=${job.id}&checkpoint_step=3`)).status, 404);
  assert.equal((await api("GET", `/finetune/download?ft_id=ft-nope&checkpoint=merged`)).status, 404);
  assert.equal((await api("DELETE", `/fine-tunes/${job.id}`)).status, 200);
});

test("cancel: cancel_requested, then cancelled, billed for the steps done", async () => {
  const file = await validatedFile();
  const job = (await api("POST", "/fine-tunes", { json: { training_file: file.id, model: SMALL, n_epochs: 10 } })).data;
  assert.equal((await api("GET", `/finetune/download?ft_id=${job.id}&checkpoint=merged`)).status, 400);
  advance(85 + 6 * 5);
  const cancelling = await api("POST", `/fine-tunes/${job.id}/cancel`);
  assert.equal(cancelling.data.status, "cancel_requested");
  advance(10);
  const cancelled = (await api("GET", `/fine-tunes/${job.id}`)).data;
  assert.equal(cancelled.status, "cancelled");
  const full = Math.round(cancelled.token_count * 0.48 * 1000);
  assert.equal(cancelled.total_price, Math.round(full * 5 / 20));
  const types = (await api("GET", `/fine-tunes/${job.id}/events`)).data.data.map((e) => e.type);
  assert.deepEqual(types.slice(-2), ["cancel_requested", "job_stopped"]);
  assert.equal((await api("POST", `/fine-tunes/${job.id}/cancel`)).status, 400);
  assert.equal((await api("POST", "/fine-tunes/ft-nope/cancel")).status, 404);
});

test("limits, supported models, price estimates and create-time checks", async () => {
  const supported = (await api("GET", "/fine-tunes/models/supported")).data.models;
  assert.ok(supported.includes(SMALL) && supported.includes(LARGE));
  const limits = (await api("GET", `/fine-tunes/models/limits?model_name=${encodeURIComponent(LARGE)}`)).data;
  assert.equal(limits.max_seq_length_sft, 24_576);
  assert.equal(limits.lora_training.max_rank, 64);
  const unknown = await api("GET", "/fine-tunes/models/limits?model_name=acme%2Fnope");
  assert.equal(unknown.status, 404);
  assert.deepEqual(Object.keys(unknown.data), ["message"]);
  assert.equal((await api("GET", "/fine-tunes/models/limits")).status, 400);

  const pending = (await upload(jsonl([chat("a", "b")]))).data;
  const early = await api("POST", "/fine-tunes/estimate-price", { json: { training_file: pending.id, model: SMALL } });
  assert.deepEqual(early.data, { estimation_available: false, unavailable_reason: "train_file_not_validated" });
  const text = jsonl([chat("x".repeat(400), "y".repeat(400))]);
  const file = await validatedFile(text);
  // ~4 characters a token; $ per million tokens by size band (UNVERIFIED figures, see catalog.ts).
  const tokens = Math.ceil(800 / 4); // the contents' characters
  for (const [model, extra, rate] of [
    [SMALL, {}, 0.48],
    [SMALL, { training_type: { type: "Full" } }, 0.54],
    [SMALL, { training_method: { method: "dpo" } }, 1.2],
    ["deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", {}, 0.48],
    [LARGE, {}, 2.9],
  ]) {
    const estimate = (await api("POST", "/fine-tunes/estimate-price", { json: { training_file: file.id, model, n_epochs: 3, ...extra } })).data;
    assert.equal(estimate.estimated_train_token_count, 3 * tokens);
    assert.ok(Math.abs(estimate.estimated_total_price - (3 * tokens * rate) / 1e6) < 1e-12, `${model} ${JSON.stringify(extra)}`);
    assert.equal(estimate.allowed_to_proceed, true);
    assert.equal(estimate.user_limit, 100);
  }
  for (const [json, param] of [
    [{ model: SMALL }, "training_file"],
    [{ training_file: file.id }, "model"],
    [{ training_file: file.id, model: "acme/nope" }, "model"],
    [{ training_file: "file-nope", model: SMALL }, "training_file"],
    [{ training_file: file.id, model: SMALL, n_epochs: 21 }, "n_epochs"],
    [{ training_file: file.id, model: SMALL, n_epochs: 1.5 }, "n_epochs"],
    [{ training_file: file.id, model: SMALL, batch_size: 4 }, "batch_size"],
    [{ training_file: file.id, model: SMALL, learning_rate: 1 }, "learning_rate"],
    [{ training_file: file.id, model: SMALL, suffix: "s".repeat(65) }, "suffix"],
    [{ training_file: file.id, model: SMALL, n_evals: 2 }, "n_evals"],
    [{ training_file: file.id, model: SMALL, training_type: { type: "Lora", lora_r: 128, lora_alpha: 16 } }, "training_type.lora_r"],
    [{ training_file: file.id, model: SMALL, training_type: { type: "QLora" } }, "training_type.type"],
  ]) {
    const rejected = await api("POST", "/fine-tunes", { json });
    assert.equal(rejected.status, 400, JSON.stringify(json));
    assert.equal(rejected.data.error.param, param, JSON.stringify(json));
  }
  const invalid = (await upload(jsonl(["nope"]))).data;
  advance(31);
  const refused = await api("POST", "/fine-tunes", { json: { training_file: invalid.id, model: SMALL } });
  assert.equal(refused.status, 400);
  assert.match(refused.data.error.message, /failed validation: Line 1/);
  assert.equal((await api("POST", "/fine-tunes", { body: "{", headers: { "content-type": "application/json" } })).status, 400);

  const poor = await startEmulator({ speed: 1, now: clock, creditLimitUsd: 1e-9 });
  try {
    const form = new FormData();
    form.append("purpose", "fine-tune");
    form.append("file_name", "t.jsonl");
    form.append("file", new Blob([text]), "t.jsonl");
    const uploaded = (await api("POST", "/files/upload", { body: form, base: poor.baseUrl })).data;
    advance(31);
    const estimate = (await api("POST", "/fine-tunes/estimate-price", { json: { training_file: uploaded.id, model: SMALL }, base: poor.baseUrl })).data;
    assert.equal(estimate.allowed_to_proceed, false);
    const denied = await api("POST", "/fine-tunes", { json: { training_file: uploaded.id, model: SMALL }, base: poor.baseUrl });
    assert.equal(denied.status, 402);
    assert.match(denied.data.error.message, /exceeds your credit limit/);
  } finally {
    await poor.close();
  }
});

test("chat completions, hardware and dedicated endpoints with states", async () => {
  const ask = (model, content = "Build a plugin", extra = {}) => api("POST", "/chat/completions", { json: { model, messages: [{ role: "user", content }], ...extra } });
  const first = await ask(SMALL);
  assert.equal(first.status, 200);
  assert.equal(first.data.object, "chat.completion");
  assert.equal(first.data.choices[0].message.role, "assistant");
  assert.deepEqual((await ask(SMALL)).data.choices, first.data.choices);
  assert.notDeepEqual((await ask(SMALL, "Something else")).data.choices, first.data.choices);
  assert.equal((await ask(SMALL, "x", { stream: true })).status, 400);
  assert.equal((await ask("acme/nope")).status, 404);
  assert.equal((await api("POST", "/chat/completions", { json: { model: SMALL, messages: [] } })).status, 400);

  const all = (await api("GET", "/hardware")).data;
  assert.equal(all.object, "list");
  assert.ok(all.data.every((h) => h.object === "hardware" && h.pricing.cents_per_minute > 0 && h.specs.gpu_count >= 1));
  const large = (await api("GET", `/hardware?model=${encodeURIComponent(LARGE)}`)).data.data.map((h) => h.id);
  assert.ok(!large.includes("1x_nvidia_h100_80gb_sxm") && large.includes("8x_nvidia_h100_80gb_sxm"), large.join(","));
  assert.equal((await api("GET", `/hardware?model=${encodeURIComponent("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference")}`)).status, 404);

  // A finished fine-tune is not serverless: it needs a dedicated endpoint.
  const file = await validatedFile();
  const job = (await api("POST", "/fine-tunes", { json: { training_file: file.id, model: SMALL } })).data;
  advance(10_000);
  const refused = await ask(job.model_output_name);
  assert.equal(refused.status, 400);
  assert.equal(refused.data.error.code, "model_not_available");
  for (const [json, param] of [
    [{ model: job.model_output_name, hardware: "1x_nvidia_h100_80gb_sxm" }, "autoscaling"],
    [{ model: job.model_output_name, hardware: "9x_abacus", autoscaling: { min_replicas: 1, max_replicas: 1 } }, "hardware"],
    [{ model: LARGE, hardware: "1x_nvidia_h100_80gb_sxm", autoscaling: { min_replicas: 1, max_replicas: 1 } }, "hardware"],
    [{ model: job.model_output_name, hardware: "1x_nvidia_h100_80gb_sxm", autoscaling: { min_replicas: 3, max_replicas: 1 } }, "autoscaling"],
  ]) {
    const rejected = await api("POST", "/endpoints", { json });
    assert.equal(rejected.status, 400, JSON.stringify(json));
    assert.equal(rejected.data.error.param, param);
  }
  const created = (await api("POST", "/endpoints", { json: { model: job.model_output_name, hardware: "1x_nvidia_h100_80gb_sxm", autoscaling: { min_replicas: 1, max_replicas: 1 }, inactive_timeout: 15 } })).data;
  assert.equal(created.object, "endpoint");
  assert.equal(created.type, "dedicated");
  assert.equal(created.inactive_timeout, 15);
  const states = [created.state];
  const notYet = await ask(created.name);
  assert.equal(notYet.data.error.code, "dedicated_endpoint_not_running");
  for (const seconds of [20, 60]) {
    advance(seconds);
    states.push((await api("GET", `/endpoints/${created.id}`)).data.state);
  }
  assert.deepEqual(states, ["PENDING", "STARTING", "STARTED"]);
  assert.equal((await ask(created.name)).status, 200);
  const stopping = (await api("PATCH", `/endpoints/${created.id}`, { json: { state: "STOPPED", display_name: "parked" } })).data;
  assert.equal(stopping.state, "STOPPING");
  assert.equal(stopping.display_name, "parked");
  advance(20);
  assert.equal((await api("GET", `/endpoints/${created.id}`)).data.state, "STOPPED");
  assert.equal((await api("PATCH", `/endpoints/${created.id}`, { json: { state: "STARTED" } })).data.state, "STARTING");
  assert.equal((await api("PATCH", `/endpoints/${created.id}`, { json: { state: "PAUSED" } })).status, 400);
  assert.ok((await api("GET", "/endpoints")).data.data.some((e) => e.id === created.id));
  const deleted = await api("DELETE", `/endpoints/${created.id}`);
  assert.equal(deleted.status, 204);
  assert.equal((await api("GET", `/endpoints/${created.id}`)).status, 404);
  const stopped = (await api("POST", "/endpoints", { json: { model: SMALL, hardware: "1x_nvidia_a100_80gb_sxm", autoscaling: { min_replicas: 1, max_replicas: 1 }, state: "STOPPED" } })).data;
  assert.equal(stopped.state, "STOPPED");
});

test("faults per route, in order, a number of times; and the control API", async () => {
  emulator.faults.add([
    { route: "GET /files/{id}", kind: "status", status: 503, retryAfter: 2, times: 1 },
    { route: "GET /files/:id", kind: "status", status: 429, retryAfterMs: 250, message: "slow down", times: 1 },
    { route: "* /hardware*", kind: "status", status: 500, times: 1 },
  ]);
  const unavailable = await api("GET", "/files/file-x");
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.headers.get("retry-after"), "2");
  assert.equal(unavailable.data.error.type, "server_error");
  const limited = await api("GET", "/files/file-x");
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after-ms"), "250");
  assert.equal(limited.data.error.message, "slow down");
  assert.equal((await api("GET", "/files/file-x")).status, 404, "the faults are used up");
  assert.equal((await api("GET", "/hardware?model=x")).status, 500);
  assert.equal((await api("GET", "/files")).status, 200, "other routes are untouched");

  emulator.faults.add({ route: "GET /fine-tunes", kind: "unknown-status", value: "model_downloading", times: 1 });
  const listed = (await api("GET", "/fine-tunes")).data.data;
  assert.ok(listed.length > 0 && listed.every((job) => job.status === "model_downloading"));

  emulator.faults.add({ route: "GET /files", kind: "drop", times: 1 });
  await assert.rejects(fetch(`${emulator.baseUrl}/files`, { headers: { authorization: `Bearer ${KEY}` } }), /fetch failed/);
  const started = Date.now();
  emulator.faults.add({ route: "GET /files", kind: "slow", delayMs: 150, times: 1 });
  assert.equal((await api("GET", "/files")).status, 200);
  assert.ok(Date.now() - started >= 140);
  assert.throws(() => emulator.faults.add({ route: "files", kind: "drop" }), /looks like/);
  assert.throws(() => emulator.faults.add({ route: "GET /files", kind: "explode" }), /unknown fault kind/);
  assert.throws(() => emulator.faults.add({ route: "GET /files", kind: "status", status: 200 }), /400 to 599/);

  // The same over HTTP, for an emulator in another process.
  const origin = emulator.baseUrl.replace(/\/v1$/, "");
  const added = await fetch(`${origin}/_emulator/faults`, { method: "POST", body: JSON.stringify([{ route: "GET /files", kind: "status", status: 500, times: 2 }]) });
  assert.equal(added.status, 200);
  assert.equal((await added.json()).data[0].remaining, 2);
  assert.equal((await api("GET", "/files")).status, 500);
  assert.equal((await fetch(`${origin}/_emulator/faults`, { method: "DELETE" })).status, 204);
  assert.equal((await api("GET", "/files")).status, 200);
  assert.equal((await fetch(`${origin}/_emulator/faults`, { method: "POST", body: "{\"route\":\"x\"}" })).status, 400);
  const recorded = (await (await fetch(`${origin}/_emulator/requests`)).json()).data;
  assert.ok(recorded.some((r) => r.fault === "drop" && r.status === undefined));
  assert.equal((await fetch(`${origin}/_emulator/health`)).status, 200);
  assert.equal((await fetch(`${origin}/_emulator/uploads/file-x?signature=wrong`, { method: "PUT", body: "x" })).status, 403);
});

test("selftune emulator prints its base URL, serves, and stops on SIGINT", async () => {
  const child = spawn(process.execPath, [CLI, "emulator", "--port", "0", "--speed", "100"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  const baseUrl = await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${stdout}`)));
  });
  const limits = await api("GET", `/fine-tunes/models/limits?model_name=${encodeURIComponent(SMALL)}`, { base: baseUrl });
  assert.equal(limits.status, 200);
  assert.match(stdout, /speed 100x/);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGINT");
  assert.equal(await exited, 0);

  const bad = spawn(process.execPath, [CLI, "emulator", "--port", "seventy"], { stdio: ["ignore", "pipe", "pipe"] });
  assert.equal(await new Promise((resolve) => bad.on("exit", resolve)), 2);
});
