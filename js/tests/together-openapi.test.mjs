// Every request selftune's client sends conforms to Together's published OpenAPI spec: a session
// that makes every call is recorded by the emulator, and each recorded request is checked with a
// standard validator (openapi-request-validator) against the spec's operation for it.
//
// The spec is not part of this project: set TOGETHER_OPENAPI_SPEC to its path (js/scripts/dev.sh
// does when ../shared/reference/together-openapi.yaml exists beside the repository).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

import { parse } from "yaml";
import { createNodeHost, createTogetherClient, startEmulator } from "selftune";

const OpenAPIRequestValidator = createRequire(import.meta.url)("openapi-request-validator").default;

const SPEC = process.env.TOGETHER_OPENAPI_SPEC;
const skip = SPEC ? false : "TOGETHER_OPENAPI_SPEC is not set: point it at Together's openapi.yaml to check every request against the spec";
const MODEL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";

/**
 * Query parameters the spec does not declare but the client sends on purpose: the spec puts the
 * metrics filters in a JSON body on a GET, which fetch cannot send; they go as query parameters,
 * as Together's own TypeScript SDK sends them.
 */
const UNDECLARED_QUERY = { "GET /fine-tunes/{id}/metrics": ["global_step_from", "global_step_to", "logged_at_from", "logged_at_to"] };

async function loadSpec() {
  return parse(await readFile(SPEC, "utf8"));
}

/** A validator for one operation of the spec. `useDefaults` is off: it would inject the spec's own
 * defaults into the request, and some of them (`lr_scheduler: none`) contradict their schemas. */
function validatorFor(spec, route, method) {
  const item = spec.paths[route];
  const operation = item?.[method.toLowerCase()];
  if (!operation) return undefined;
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
  return {
    parameters,
    validator: new OpenAPIRequestValidator({
      parameters,
      requestBody: operation.requestBody,
      componentSchemas: spec.components.schemas,
      ajvOptions: { useDefaults: false },
    }),
    security: operation.security ?? spec.security ?? [],
  };
}

function pathParams(route, path) {
  const names = [];
  const pattern = new RegExp(`^/v1${route.replace(/\{(\w+)\}/g, (_, name) => (names.push(name), "([^/]+)"))}$`);
  const match = pattern.exec(path);
  assert.ok(match, `${path} does not match ${route}`);
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
}

/** The problems of one recorded request against the spec (empty when it conforms). */
function check(spec, record) {
  const where = `${record.method} ${record.route ?? record.path}`;
  if (!record.route) return [`${where}: no such path in the spec`];
  const operation = validatorFor(spec, record.route, record.method);
  if (!operation) return [`${where}: the spec has no ${record.method} for ${record.route}`];
  const problems = [];
  const declared = new Set(operation.parameters.filter((p) => p.in === "query").map((p) => p.name));
  const allowed = new Set(UNDECLARED_QUERY[`${record.method} ${record.route}`] ?? []);
  for (const name of Object.keys(record.query)) {
    if (!declared.has(name) && !allowed.has(name)) problems.push(`${where}: query parameter '${name}' is not in the spec`);
  }
  if (operation.security.some((scheme) => "bearerAuth" in scheme) && record.headers.authorization !== "Bearer <redacted>") {
    problems.push(`${where}: no Bearer authorization`);
  }
  const result = operation.validator.validateRequest({
    headers: record.headers,
    params: pathParams(record.route, record.path),
    query: record.query,
    body: record.json ?? record.form,
  });
  for (const error of result?.errors ?? []) problems.push(`${where}: ${error.location} ${error.path}: ${error.message}`);
  return problems;
}

/** A session that makes every call the client has. */
async function session(together, emulator) {
  const lines = Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `Build plugin ${i}`, completion: `export const p${i} = ${i};` }));
  const bytes = new TextEncoder().encode(`${lines.join("\n")}\n`);
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 5));

  const uploaded = await together.uploadFile({ fileName: "train.jsonl" }, bytes);
  const validation = await together.uploadFile({ fileName: "validation.jsonl", purpose: "fine-tune", fileType: "jsonl" }, bytes);
  await together.waitForFile(uploaded.id, { pollIntervalMs: 5 });
  await together.waitForFile(validation.id, { pollIntervalMs: 5 });
  await together.retrieveFile(uploaded.id);
  await together.listFiles();
  await together.modelLimits(MODEL);
  await together.estimatePrice({
    trainingFile: uploaded.id,
    validationFile: validation.id,
    model: MODEL,
    nEpochs: 2,
    nEvals: 1,
    trainingType: { type: "Lora", loraR: 8, loraAlpha: 16 },
    trainingMethod: { method: "sft", trainOnInputs: false },
  });
  const job = await together.createFineTune({
    trainingFile: uploaded.id,
    validationFile: validation.id,
    model: MODEL,
    nEpochs: 2,
    nCheckpoints: 2,
    nEvals: 1,
    batchSize: "max",
    learningRate: 1e-4,
    lrScheduler: { type: "linear", minLrRatio: 0 },
    warmupRatio: 0.05,
    maxGradNorm: 1,
    weightDecay: 0,
    randomSeed: 7,
    suffix: "selftune-conformance",
    packing: true,
    maxSeqLength: 2048,
    trainingMethod: { method: "sft", trainOnInputs: false },
    trainingType: { type: "Lora", loraR: 8, loraAlpha: 16, loraDropout: 0.05, loraTrainableModules: "all-linear" },
  });
  await together.createFineTune({ trainingFile: uploaded.id, model: MODEL, batchSize: 16, trainingType: { type: "Full" } });
  let finished;
  do {
    await sleep();
    finished = await together.retrieveFineTune(job.id);
  } while (finished.status !== "completed");
  await together.listFineTunes();
  await together.fineTuneEvents(job.id);
  await together.fineTuneCheckpoints(job.id);
  await together.fineTuneMetrics(job.id);
  await together.fineTuneMetrics(job.id, { globalStepFrom: 1, globalStepTo: 2 });
  await together.modelDownload(job.id);
  const cancelled = await together.createFineTune({ trainingFile: uploaded.id, model: MODEL, nEpochs: 20 });
  await together.cancelFineTune(cancelled.id);
  await together.chatCompletion({ model: MODEL, messages: [{ role: "user", content: "hi" }], maxTokens: 16, temperature: 0.6, topP: 0.9, stop: ["</s>"], seed: 1 });
  await together.listHardware();
  const hardware = await together.listHardware(finished.modelOutputName);
  const endpoint = await together.createEndpoint({
    model: finished.modelOutputName,
    hardware: hardware[0].id,
    autoscaling: { minReplicas: 1, maxReplicas: 2 },
    displayName: "selftune conformance",
    state: "STARTED",
    inactiveTimeout: 10,
    disableSpeculativeDecoding: false,
  });
  await together.getEndpoint(endpoint.id);
  await together.updateEndpoint(endpoint.id, { state: "STOPPED", displayName: "stopped", autoscaling: { minReplicas: 1, maxReplicas: 1 }, inactiveTimeout: 5 });
  await together.deleteEndpoint(endpoint.id);
  await together.deleteFile(validation.id);
  return emulator.requests.slice();
}

test("every request the client sends conforms to Together's OpenAPI spec", { skip }, async (t) => {
  const spec = await loadSpec();
  assert.equal(spec.openapi.split(".")[0], "3");
  const emulator = await startEmulator({ speed: 20_000 });
  t.after(() => emulator.close());
  const together = createTogetherClient({
    baseUrl: emulator.baseUrl,
    apiKey: "test-key-not-real-openapi",
    host: createNodeHost({ logger: () => {} }),
    requestsPerMinute: 0,
    env: {},
  });
  const recorded = await session(together, emulator);
  const operations = new Set(recorded.map((r) => `${r.method} ${r.route}`));
  for (const expected of [
    "POST /files/upload",
    "GET /files/{id}",
    "GET /files",
    "DELETE /files/{id}",
    "GET /fine-tunes/models/limits",
    "POST /fine-tunes/estimate-price",
    "POST /fine-tunes",
    "GET /fine-tunes/{id}",
    "GET /fine-tunes",
    "POST /fine-tunes/{id}/cancel",
    "GET /fine-tunes/{id}/events",
    "GET /fine-tunes/{id}/checkpoints",
    "GET /fine-tunes/{id}/metrics",
    "POST /chat/completions",
    "GET /hardware",
    "POST /endpoints",
    "GET /endpoints/{endpointId}",
    "PATCH /endpoints/{endpointId}",
    "DELETE /endpoints/{endpointId}",
  ]) {
    assert.ok(operations.has(expected), `the session never called ${expected}`);
  }
  const problems = recorded.flatMap((record) => check(spec, record));
  assert.deepEqual(problems, [], `${problems.length} of ${recorded.length} requests do not conform`);
  // The download address the client hands out conforms too.
  const download = new URL(together.downloadAddress("ft-123", { checkpoint: "adapter" }));
  assert.deepEqual(check(spec, { method: "GET", route: "/finetune/download", path: download.pathname, query: Object.fromEntries(download.searchParams), headers: { authorization: "Bearer <redacted>" } }), []);
});

test("the conformance check catches requests that break the spec", { skip }, async () => {
  const spec = await loadSpec();
  const base = { headers: { authorization: "Bearer <redacted>", "content-type": "application/json" }, query: {} };
  const bad = [
    { ...base, method: "POST", route: "/fine-tunes", path: "/v1/fine-tunes", json: { model: MODEL, n_epochs: "three" } },
    { ...base, method: "POST", route: "/fine-tunes", path: "/v1/fine-tunes", json: { training_file: "f", model: MODEL, training_method: { method: "sft", train_on_inputs: "auto" } } },
    { ...base, method: "POST", route: "/files/upload", path: "/v1/files/upload", headers: { ...base.headers, "content-type": "multipart/form-data; boundary=x" }, form: { purpose: "training", file: "<3 bytes>" } },
    { ...base, method: "GET", route: "/fine-tunes/models/limits", path: "/v1/fine-tunes/models/limits" },
    { ...base, method: "GET", route: "/files", path: "/v1/files", query: { limit: "5" } },
    { ...base, method: "GET", route: "/files", path: "/v1/files", headers: {} },
    { ...base, method: "PUT", route: "/files/{id}", path: "/v1/files/file-1" },
    { ...base, method: "GET", route: null, path: "/v1/files/x/y" },
  ];
  for (const record of bad) {
    assert.notDeepEqual(check(spec, record), [], `${record.method} ${record.path} ${JSON.stringify(record.json ?? record.form ?? record.query)} passed`);
  }
});
