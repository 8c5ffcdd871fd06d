// The Rust client (through its wasm binding) over real loopback HTTP against the in-process
// emulator: every call, every injected fault, and the API key's absence from everything printed.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";

import { createNodeHost, createTogetherClient, isSelftuneError, startEmulator } from "selftune";

const KEY = "test-key-not-real-7f3a9c";
const MODEL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";
const SPEED = 20_000;

const emulator = await startEmulator({ speed: SPEED });
after(() => emulator.close());

const logs = [];
const thrown = [];

function client(options = {}) {
  return createTogetherClient({
    baseUrl: emulator.baseUrl,
    apiKey: KEY,
    host: createNodeHost({ logger: (level, message) => logs.push(`${level}: ${message}`) }),
    retryBaseDelayMs: 10,
    retryMaxDelayMs: 40,
    jitterSeed: 7,
    requestsPerMinute: 0,
    timeoutMs: 2_000,
    env: {},
    ...options,
  });
}

/** Awaits a promise that must reject with a SelftuneError of `code`; keeps the error for the leak check. */
async function rejects(promise, code) {
  try {
    await promise;
  } catch (error) {
    thrown.push(error);
    assert.ok(isSelftuneError(error), `not a SelftuneError: ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a ${code} rejection`);
}

function dataset(n = 12) {
  const lines = [];
  for (let i = 0; i < n; i += 1) {
    lines.push(
      JSON.stringify({
        prompt: `<｜User｜>Build an ElizaOS plugin with action ${i}<｜Assistant｜>`,
        completion: `<think>\nPlan the action ${i}.\n</think>\n\nexport const action${i} = { name: "ACTION_${i}" };\n`,
      }),
    );
  }
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(read, done, what) {
  for (let i = 0; i < 500; i += 1) {
    const value = await read();
    if (done(value)) return value;
    await sleep(5);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The requests the emulator saw for one route since `from`. */
function seen(route, method, from = 0) {
  return emulator.requests.slice(from).filter((r) => r.route === route && r.method === method);
}

async function readyFile(together) {
  const file = await together.uploadFile({ fileName: "train.jsonl" }, dataset());
  return together.waitForFile(file.id, { pollIntervalMs: 5 });
}

test("the whole fine-tuning journey over loopback HTTP", async () => {
  const together = client();
  const started = Date.now();

  const uploaded = await together.uploadFile({ fileName: "train.jsonl" }, dataset());
  assert.match(uploaded.id, /^file-/);
  assert.equal(uploaded.filename, "train.jsonl");
  assert.equal(uploaded.purpose, "fine-tune");
  assert.ok(["PENDING", "QUEUED", "RUNNING"].includes(uploaded.processingStatus), uploaded.processingStatus);
  const file = await together.waitForFile(uploaded.id, { pollIntervalMs: 5 });
  assert.equal(file.processingStatus, "COMPLETED");
  assert.equal(file.validationReport.valid, true);
  assert.equal(file.validationReport.datasetFormat, "instruction");
  assert.equal(file.lineCount, 12);
  assert.ok((await together.retrieveFile(file.id)).processed);
  assert.ok((await together.listFiles()).some((f) => f.id === file.id));

  const limits = await together.modelLimits(MODEL);
  assert.equal(limits.modelName, MODEL);
  assert.equal(limits.loraTraining.maxRank, 64);

  const estimate = await together.estimatePrice({ trainingFile: file.id, model: MODEL, nEpochs: 3 });
  assert.equal(estimate.estimationAvailable, true);
  assert.equal(estimate.allowedToProceed, true);
  assert.ok(estimate.estimatedTotalPriceUsd > 0);
  assert.equal(estimate.estimatedTotalPriceNanoUsd, Math.round(estimate.estimatedTotalPriceUsd * 1e9));

  const created = await together.createFineTune({
    trainingFile: file.id,
    model: MODEL,
    nEpochs: 3,
    nCheckpoints: 3,
    suffix: "selftune-journey",
    learningRate: 1e-4,
    trainingType: { type: "Lora", loraR: 16, loraAlpha: 32 },
    trainingMethod: { method: "sft", trainOnInputs: false },
  });
  assert.match(created.id, /^ft-/);
  assert.equal(created.status, "pending");
  assert.match(created.modelOutputName, /DeepSeek-R1-Distill-Qwen-1\.5B-selftune-journey/);

  const statuses = new Set();
  const finished = await until(
    async () => {
      const job = await together.retrieveFineTune(created.id);
      statuses.add(job.status);
      return job;
    },
    (job) => job.status === "completed",
    "the job to complete",
  );
  for (const status of statuses) assert.ok(["pending", "queued", "running", "compressing", "uploading", "completed"].includes(status), status);
  // Money comes back in both units: total_price is nano-dollars on the wire.
  assert.ok(finished.totalPriceNanoUsd > 0);
  assert.equal(finished.totalPriceUsd, finished.totalPriceNanoUsd / 1e9);
  assert.ok(Math.abs(finished.totalPriceUsd - estimate.estimatedTotalPriceUsd) < 1e-9);
  assert.equal(finished.tokenCount, estimate.estimatedTrainTokenCount);

  const events = await together.fineTuneEvents(created.id);
  const types = events.map((e) => e.type);
  for (const type of ["job_pending", "job_start", "training_start", "checkpoint_save", "epoch_complete", "training_complete", "model_compressing", "model_uploading", "job_complete"]) {
    assert.ok(types.includes(type), `${type} missing from ${types.join(",")}`);
  }
  assert.ok(types.indexOf("job_start") < types.indexOf("training_complete"));
  assert.equal(types.at(-1), "job_complete");

  const checkpoints = await together.fineTuneCheckpoints(created.id);
  assert.equal(checkpoints.length, 3);
  assert.equal(checkpoints[0].checkpointType, "Final");

  const { metrics } = await together.fineTuneMetrics(created.id);
  const losses = metrics.filter((row) => "train/loss" in row).map((row) => row["train/loss"]);
  assert.ok(losses.length >= 3);
  for (let i = 1; i < losses.length; i += 1) assert.ok(losses[i] < losses[i - 1], `loss rose at ${i}: ${losses}`);
  const window = await together.fineTuneMetrics(created.id, { globalStepFrom: 2, globalStepTo: 3 });
  assert.deepEqual(window.metrics.map((row) => row["train/global_step"]), [2, 3]);

  const download = await together.modelDownload(created.id);
  assert.equal(download.checkpoint, "merged");
  assert.equal(download.url, `${emulator.baseUrl}/finetune/download?ft_id=${created.id}&checkpoint=merged`);
  const archive = await fetch(download.url, { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(archive.status, 200);
  assert.equal(archive.headers.get("content-type"), "application/octet-stream");
  assert.match(await archive.text(), /model archive/);
  assert.equal(together.downloadAddress(created.id, { checkpointStep: 2 }), `${emulator.baseUrl}/finetune/download?ft_id=${created.id}&checkpoint_step=2`);

  // Serving: the output model is not serverless; a dedicated endpoint is.
  const notServerless = await rejects(
    together.chatCompletion({ model: finished.modelOutputName, messages: [{ role: "user", content: "hi" }] }),
    "together_invalid_request",
  );
  assert.match(notServerless.message, /model_not_available/);
  const hardware = await together.listHardware(finished.modelOutputName);
  assert.ok(hardware.length > 0);
  assert.ok(hardware.every((h) => h.pricing.centsPerMinute > 0));
  const endpoint = await together.createEndpoint({ model: finished.modelOutputName, hardware: hardware[0].id, inactiveTimeout: 10 });
  // PENDING lasts 20 emulated seconds: 1 ms of real time at this speed, which a busy machine can
  // pass between the creation and its answer.
  assert.ok(["PENDING", "STARTING"].includes(endpoint.state), endpoint.state);
  const running = await until(() => together.getEndpoint(endpoint.id), (e) => e.state === "STARTED", "the endpoint to start");
  const question = { model: running.name, messages: [{ role: "user", content: "Build a dice plugin" }], maxTokens: 128, temperature: 0.6 };
  const answer = await together.chatCompletion(question);
  assert.match(answer.choices[0].message.content, /^<think>\n/);
  assert.deepEqual((await together.chatCompletion(question)).choices, answer.choices, "answers are deterministic");
  assert.ok(answer.usage.totalTokens > 0);
  const stopping = await together.updateEndpoint(endpoint.id, { state: "STOPPED" });
  // STOPPING is as short-lived as PENDING at this speed: a busy machine may answer after it.
  assert.ok(["STOPPING", "STOPPED"].includes(stopping.state), stopping.state);
  await until(() => together.getEndpoint(endpoint.id), (e) => e.state === "STOPPED", "the endpoint to stop");
  await together.deleteEndpoint(endpoint.id);
  await rejects(together.getEndpoint(endpoint.id), "together_not_found");

  assert.ok((await together.listFineTunes()).some((job) => job.id === created.id));
  const deleted = await together.deleteFile(file.id);
  assert.deepEqual(deleted, { id: file.id, deleted: true });
  assert.ok(Date.now() - started < 15_000);
});

test("a job can be cancelled, and ends cancelled", async () => {
  const together = client();
  const file = await readyFile(together);
  const job = await together.createFineTune({ trainingFile: file.id, model: MODEL, nEpochs: 20 });
  const cancelling = await together.cancelFineTune(job.id);
  assert.ok(["cancel_requested", "cancelled"].includes(cancelling.status), cancelling.status);
  const cancelled = await until(() => together.retrieveFineTune(job.id), (j) => j.status === "cancelled", "cancellation");
  assert.equal(cancelled.status, "cancelled");
  const types = (await together.fineTuneEvents(job.id)).map((e) => e.type);
  assert.ok(types.includes("cancel_requested") && types.includes("job_stopped"), types.join(","));
  await rejects(together.cancelFineTune(job.id), "together_invalid_request");
});

test("fault: 429 with retry-after-ms, then success", async () => {
  const together = client();
  const from = emulator.requests.length;
  emulator.faults.add({ route: "GET /files", kind: "status", status: 429, retryAfterMs: 150, times: 1 });
  await together.listFiles();
  const calls = seen("/files", "GET", from);
  assert.deepEqual(calls.map((r) => r.status), [429, 200]);
  assert.ok(calls[1].at - calls[0].at >= 140, `waited only ${calls[1].at - calls[0].at} ms`);
  assert.ok(logs.some((line) => line.includes("GET /files: HTTP 429; retrying in 150 ms")), logs.join("\n"));
});

test("fault: 429 with retry-after in seconds, then success", async () => {
  const together = client();
  const from = emulator.requests.length;
  emulator.faults.add({ route: "GET /fine-tunes", kind: "status", status: 429, retryAfter: 1, times: 1 });
  await together.listFineTunes();
  const calls = seen("/fine-tunes", "GET", from);
  assert.deepEqual(calls.map((r) => r.status), [429, 200]);
  assert.ok(calls[1].at - calls[0].at >= 990, `waited only ${calls[1].at - calls[0].at} ms`);
});

test("fault: 500 then 503 are retried", async () => {
  const together = client();
  const file = await readyFile(together);
  const job = await together.createFineTune({ trainingFile: file.id, model: MODEL });
  const from = emulator.requests.length;
  emulator.faults.add([
    { route: "GET /fine-tunes/{id}", kind: "status", status: 500, times: 1 },
    { route: "GET /fine-tunes/{id}", kind: "status", status: 503, times: 1 },
  ]);
  const got = await together.retrieveFineTune(job.id);
  assert.equal(got.id, job.id);
  assert.deepEqual(seen("/fine-tunes/{id}", "GET", from).map((r) => r.status), [500, 503, 200]);
});

test("fault: a server that keeps failing ends in together_server, and 429s in together_rate_limited", async () => {
  const together = client({ maxAttempts: 3 });
  emulator.faults.add({ route: "GET /hardware", kind: "status", status: 503, times: 3 });
  const server = await rejects(together.listHardware(), "together_server");
  assert.match(server.message, /after 3 attempts/);
  emulator.faults.add({ route: "GET /hardware", kind: "status", status: 429, retryAfterMs: 5, times: 3 });
  await rejects(together.listHardware(), "together_rate_limited");
  emulator.faults.clear();
});

test("fault: a slow response hits the timeout; the retry succeeds", async () => {
  const together = client({ timeoutMs: 300 });
  const file = await readyFile(together);
  const from = emulator.requests.length;
  emulator.faults.add({ route: "GET /files/{id}", kind: "slow", delayMs: 1_500, times: 1 });
  const started = Date.now();
  const got = await together.retrieveFile(file.id);
  assert.equal(got.id, file.id);
  assert.ok(Date.now() - started < 1_400, "the client waited for the slow answer");
  assert.equal(seen("/files/{id}", "GET", from).length, 2);
  assert.ok(logs.some((line) => line.includes("no response within 300 ms")), logs.join("\n"));
});

test("fault: a response slower than every attempt ends in together_timeout", async () => {
  const together = client({ timeoutMs: 200, maxAttempts: 2 });
  emulator.faults.add({ route: "GET /files", kind: "slow", delayMs: 1_000, times: 2 });
  const error = await rejects(together.listFiles(), "together_timeout");
  assert.match(error.message, /GET \/files: timed out: no response within 200 ms after 2 attempts/);
  emulator.faults.clear();
});

test("fault: a dropped connection is retried", async () => {
  const together = client();
  const from = emulator.requests.length;
  emulator.faults.add({ route: "GET /fine-tunes/models/limits", kind: "drop", times: 1 });
  const limits = await together.modelLimits(MODEL);
  assert.equal(limits.modelName, MODEL);
  assert.deepEqual(seen("/fine-tunes/models/limits", "GET", from).map((r) => r.status), [undefined, 200]);
});

test("fault: an unknown status value is kept as it came", async () => {
  const together = client();
  const file = await readyFile(together);
  const job = await together.createFineTune({ trainingFile: file.id, model: MODEL });
  emulator.faults.add([
    { route: "GET /fine-tunes/{id}", kind: "unknown-status", times: 1 },
    { route: "GET /fine-tunes", kind: "unknown-status", value: "tokenizing", times: 1 },
  ]);
  const odd = await together.retrieveFineTune(job.id);
  assert.equal(odd.status, "model_downloading");
  assert.equal(odd.id, job.id);
  const listed = await together.listFineTunes();
  assert.ok(listed.length > 0 && listed.every((j) => j.status === "tokenizing"));
});

test("creating a job is never retried: a failure is reported and nothing is created twice", async () => {
  const together = client();
  const file = await readyFile(together);
  for (const [fault, code] of [
    [{ kind: "status", status: 503 }, "together_server"],
    [{ kind: "status", status: 429, retryAfterMs: 5 }, "together_rate_limited"],
    [{ kind: "drop" }, "together_http"],
  ]) {
    const from = emulator.requests.length;
    const before = (await together.listFineTunes()).length;
    emulator.faults.add({ route: "POST /fine-tunes", times: 1, ...fault });
    await rejects(together.createFineTune({ trainingFile: file.id, model: MODEL, suffix: `once-${fault.kind}` }), code);
    assert.equal(seen("/fine-tunes", "POST", from).length, 1, code);
    // Reconciling: list the jobs before creating again.
    assert.equal((await together.listFineTunes()).length, before);
  }
  assert.ok(logs.some((line) => line.includes("POST /fine-tunes") && line.includes("not retried")));
});

test("typed errors: unauthorized, payment required, not found, invalid request, rejected file", async () => {
  const strict = await startEmulator({ speed: SPEED, apiKeys: ["the-only-accepted-key-not-real"], creditLimitUsd: 1e-9 });
  try {
    const wrongKey = createTogetherClient({ baseUrl: strict.baseUrl, apiKey: KEY, requestsPerMinute: 0, env: {}, host: createNodeHost({ logger: () => {} }) });
    const denied = await rejects(wrongKey.listFiles(), "together_unauthorized");
    assert.match(denied.message, /invalid_api_key/);
    const poor = client({ baseUrl: strict.baseUrl, apiKey: "the-only-accepted-key-not-real" });
    const file = await readyFile(poor);
    const unpaid = await rejects(poor.createFineTune({ trainingFile: file.id, model: MODEL }), "together_payment_required");
    assert.match(unpaid.message, /credit limit/);
  } finally {
    await strict.close();
  }

  const together = client();
  await rejects(together.retrieveFineTune("ft-does-not-exist"), "together_not_found");
  await rejects(together.modelLimits("acme/not-a-model"), "together_not_found");
  const file = await readyFile(together);
  const invalid = await rejects(together.createFineTune({ trainingFile: file.id, model: MODEL, nEpochs: 50 }), "together_invalid_request");
  assert.equal(invalid.field, "n_epochs");
  const rank = await rejects(
    together.createFineTune({ trainingFile: file.id, model: MODEL, trainingType: { type: "Lora", loraR: 128, loraAlpha: 256 } }),
    "together_invalid_request",
  );
  assert.equal(rank.field, "training_type.lora_r");
  await rejects(together.createFineTune({ trainingFile: file.id, model: MODEL, nEpoch: 2 }), "invalid_argument");

  const broken = new TextEncoder().encode(
    `${JSON.stringify({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] })}\n${JSON.stringify({ messages: [{ role: "user", content: "hi" }, { content: "no role" }] })}\n`,
  );
  const bad = await together.uploadFile({ fileName: "broken.jsonl" }, broken);
  const rejected = await rejects(together.waitForFile(bad.id, { pollIntervalMs: 5 }), "together_file_rejected");
  assert.match(rejected.message, /Line 2: messages\[1\] must contain a role field/);
  const estimate = await together.estimatePrice({ trainingFile: bad.id, model: MODEL });
  assert.deepEqual(estimate, { estimationAvailable: false, unavailableReason: "train_file_invalid" });
  // Validation that takes longer than the wait allows: at speed 1 it takes half a minute.
  const slow = await startEmulator({ speed: 1 });
  try {
    const patient = client({ baseUrl: slow.baseUrl });
    const late = await patient.uploadFile({ fileName: "late.jsonl" }, dataset());
    const waited = await rejects(patient.waitForFile(late.id, { pollIntervalMs: 20, timeoutMs: 100 }), "together_timeout");
    assert.match(waited.message, /is still (PENDING|QUEUED) after \d+ ms/);
  } finally {
    await slow.close();
  }
});

test("configuration: the environment, the legacy key name, and a missing key", () => {
  const host = createNodeHost({ logger: () => {} });
  const fromEnv = createTogetherClient({ host, env: { TOGETHER_AI_API_KEY: KEY, TOGETHER_BASE_URL: `${emulator.baseUrl}/` } });
  assert.equal(fromEnv.baseUrl, emulator.baseUrl);
  const defaults = createTogetherClient({ host, env: { TOGETHER_API_KEY: KEY } });
  assert.equal(defaults.baseUrl, "https://api.together.xyz/v1");
  assert.throws(() => createTogetherClient({ host, env: {} }), (error) => error.code === "invalid_config" && /TOGETHER_API_KEY/.test(error.message));
  assert.throws(() => createTogetherClient({ host, env: {}, apiKey: KEY, timeoutMS: 5 }), (error) => error.code === "invalid_config");
});

test("the API key appears in no error, log line, stack or recorded request", () => {
  assert.ok(thrown.length >= 10, `only ${thrown.length} errors collected`);
  for (const error of thrown) {
    for (const text of [error.message, error.stack, String(error), inspect(error), JSON.stringify(error)]) {
      assert.ok(!String(text).includes(KEY), `the key leaked: ${text}`);
    }
  }
  assert.ok(logs.length > 0);
  for (const line of logs) assert.ok(!line.includes(KEY), line);
  const recorded = JSON.stringify(emulator.requests);
  assert.ok(!recorded.includes(KEY));
  assert.ok(emulator.requests.every((r) => r.headers.authorization === "Bearer <redacted>"));
  assert.ok(!inspect(client()).includes(KEY));
});
