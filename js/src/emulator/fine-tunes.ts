// Fine-tuning: model limits, price estimates, and jobs that move through Together's lifecycle
// (pending → queued → running → compressing → uploading → completed) on the accelerated clock,
// with events, checkpoints and metrics whose loss falls; cancel; the model download.

import { findModel, LIMITS, MODELS, modelLimits, ratePerMillion } from "./catalog.js";
import { iso } from "./clock.js";
import { ApiError, BareError, invalid, notFound } from "./errors.js";
import { processingStatus } from "./files.js";
import {
  jsonBody,
  newId,
  ok,
  optionalInteger,
  optionalString,
  requiredString,
  type Ctx,
  type EmulatorState,
  type FileRecord,
  type JobEvent,
  type JobRecord,
  type Route,
} from "./state.js";

/** Emulated seconds of each phase. */
export const PHASES = {
  pending: 30,
  queued: 30,
  setup: 25,
  perStep: 6,
  compressing: 45,
  uploading: 45,
  cancelling: 10,
};

const TERMINAL = new Set(["completed", "cancelled", "error"]);

function trainingStart(): number {
  return PHASES.pending + PHASES.queued + PHASES.setup;
}

/** Emulated seconds since the job was created. */
function elapsed(state: EmulatorState, job: JobRecord): number {
  return state.clock.elapsed(job.createdMs);
}

export function jobStatus(state: EmulatorState, job: JobRecord): string {
  const now = elapsed(state, job);
  if (job.cancelledAt !== undefined && now >= job.cancelledAt) {
    return now < job.cancelledAt + PHASES.cancelling ? "cancel_requested" : "cancelled";
  }
  let status = "pending";
  for (const stage of job.timeline) if (stage.at <= now) status = stage.status;
  return status;
}

function stepsDone(state: EmulatorState, job: JobRecord): number {
  const now = Math.min(elapsed(state, job), job.cancelledAt ?? Number.POSITIVE_INFINITY);
  return Math.max(0, Math.min(job.totalSteps, Math.floor((now - trainingStart()) / PHASES.perStep)));
}

function loss(job: JobRecord, step: number): number {
  return 0.35 + 1.85 * Math.exp((-3 * step) / job.totalSteps);
}

function learningRate(job: JobRecord, step: number): number {
  return job.learningRate * (1 - step / (job.totalSteps + 1));
}

function checkpointSteps(job: JobRecord): number[] {
  const steps = new Set<number>();
  for (let k = 1; k <= job.nCheckpoints; k += 1) steps.add(Math.max(1, Math.round((k * job.totalSteps) / job.nCheckpoints)));
  return [...steps].sort((a, b) => a - b);
}

function evalSteps(job: JobRecord): number[] {
  if (job.nEvals === 0 || !job.validationFile) return [];
  const steps = new Set<number>();
  for (let k = 1; k <= job.nEvals; k += 1) steps.add(Math.max(1, Math.round((k * job.totalSteps) / job.nEvals)));
  return [...steps].sort((a, b) => a - b);
}

function buildTimeline(job: JobRecord): void {
  const start = trainingStart();
  const endTraining = start + job.totalSteps * PHASES.perStep;
  const compressed = endTraining + PHASES.compressing;
  const done = compressed + PHASES.uploading;
  job.timeline = [
    { at: 0, status: "pending" },
    { at: PHASES.pending, status: "queued" },
    { at: PHASES.pending + PHASES.queued, status: "running" },
    { at: endTraining, status: "compressing" },
    { at: compressed, status: "uploading" },
    { at: done, status: "completed" },
  ];
  const running = PHASES.pending + PHASES.queued;
  const events: JobEvent[] = [
    { at: 0, type: "job_pending", message: "Fine-tune request created" },
    { at: running, type: "job_start", message: "Job started" },
    { at: running, type: "model_downloading", message: `Downloading model ${job.model}` },
    { at: running + 10, type: "model_download_complete", message: "Model downloaded" },
    { at: running + 10, type: "training_data_downloading", message: "Downloading training data" },
    { at: running + 15, type: "training_data_download_complete", message: "Training data downloaded" },
  ];
  if (job.validationFile) {
    events.push({ at: running + 15, type: "validation_data_downloading", message: "Downloading validation data" });
    events.push({ at: running + 20, type: "validation_data_download_complete", message: "Validation data downloaded" });
  }
  events.push({ at: start, type: "training_start", message: `Training started: ${job.totalSteps} steps over ${job.nEpochs} epochs` });
  const checkpoints = new Set(checkpointSteps(job));
  for (let step = 1; step <= job.totalSteps; step += 1) {
    const at = start + step * PHASES.perStep;
    if (checkpoints.has(step) && step !== job.totalSteps) {
      events.push({ at, type: "checkpoint_save", message: `Checkpoint saved at step ${step}`, step, checkpointPath: checkpointPath(job, step) });
    }
    if (step % job.stepsPerEpoch === 0) {
      events.push({ at, type: "epoch_complete", message: `Epoch ${step / job.stepsPerEpoch}/${job.nEpochs} completed`, step });
    }
  }
  events.push({ at: endTraining, type: "training_complete", message: "Training completed" });
  events.push({ at: endTraining, type: "model_compressing", message: "Compressing output model" });
  events.push({ at: compressed, type: "model_compression_complete", message: "Model compression complete" });
  events.push({ at: compressed, type: "model_uploading", message: "Uploading output model" });
  events.push({ at: done, type: "model_upload_complete", message: "Model upload complete" });
  events.push({ at: done, type: "job_complete", message: `Job finished: ${job.outputName}` });
  job.events = events;
}

function checkpointPath(job: JobRecord, step: number): string {
  return `s3://together-emulator/finetune/${job.id}/checkpoints/step-${step}`;
}

function visibleEvents(state: EmulatorState, job: JobRecord): JobEvent[] {
  const now = elapsed(state, job);
  const events = job.events.filter((event) => event.at <= now && (job.cancelledAt === undefined || event.at <= job.cancelledAt));
  if (job.cancelledAt !== undefined) {
    if (now >= job.cancelledAt) events.push({ at: job.cancelledAt, type: "cancel_requested", message: "Cancellation requested" });
    if (now >= job.cancelledAt + PHASES.cancelling) {
      events.push({ at: job.cancelledAt + PHASES.cancelling, type: "job_stopped", message: "Job cancelled by user" });
    }
  }
  return events;
}

function eventJson(state: EmulatorState, job: JobRecord, event: JobEvent): Record<string, unknown> {
  return {
    object: "fine-tune-event",
    created_at: iso(state.clock.realAt(job.createdMs, event.at)),
    level: event.level ?? "info",
    message: event.message,
    type: event.type,
    param_count: findModel(job.model)?.parameters ?? 0,
    token_count: job.tokenCount,
    total_steps: job.totalSteps,
    wandb_url: "",
    step: event.step ?? 0,
    checkpoint_path: event.checkpointPath ?? "",
    model_path: event.type === "job_complete" ? `s3://together-emulator/finetune/${job.id}/output` : "",
    training_offset: 0,
    hash: "",
  };
}

/** Billed so far, in nano-dollars: every token once training started, a share if cancelled. */
function totalPriceNano(state: EmulatorState, job: JobRecord): number {
  const status = jobStatus(state, job);
  if (status === "pending" || status === "queued") return 0;
  const share = job.cancelledAt === undefined ? 1 : stepsDone(state, job) / job.totalSteps;
  return Math.round(job.tokenCount * share * job.ratePerMillion * 1000);
}

export function jobJson(state: EmulatorState, job: JobRecord, full: boolean): Record<string, unknown> {
  const status = jobStatus(state, job);
  const now = elapsed(state, job);
  const last = job.timeline.filter((stage) => stage.at <= now).pop();
  const updatedAt = job.cancelledAt !== undefined && now >= job.cancelledAt ? job.cancelledAt : (last?.at ?? 0);
  const started = status !== "pending" && status !== "queued";
  const completedAt = job.timeline[job.timeline.length - 1].at;
  const json: Record<string, unknown> = {
    id: job.id,
    status,
    created_at: iso(job.createdMs),
    updated_at: iso(state.clock.realAt(job.createdMs, updatedAt)),
    started_at: started ? iso(state.clock.realAt(job.createdMs, PHASES.pending + PHASES.queued)) : null,
    user_id: `user_${state.owner}`,
    owner_address: `${state.owner}@example.com`,
    model: job.model,
    model_output_name: job.outputName,
    training_file: job.trainingFile,
    validation_file: job.validationFile ?? "",
    suffix: job.suffix ?? "",
    n_epochs: job.nEpochs,
    n_checkpoints: job.nCheckpoints,
    n_evals: job.nEvals,
    batch_size: job.batchSize === "max" ? LIMITS.maxBatchDefault : job.batchSize,
    learning_rate: job.learningRate,
    training_type: job.request.training_type ?? { type: "Lora", lora_r: LIMITS.loraDefaultRank, lora_alpha: LIMITS.loraDefaultRank * 2 },
    training_method: job.request.training_method ?? { method: "sft", train_on_inputs: "auto" },
    total_price: totalPriceNano(state, job),
    token_count: started ? job.tokenCount : 0,
    epochs_completed: Math.floor(stepsDone(state, job) / job.stepsPerEpoch),
    events: full ? visibleEvents(state, job).map((event) => eventJson(state, job, event)) : [],
    progress: {
      estimate_available: status === "running",
      seconds_remaining: TERMINAL.has(status) ? 0 : Math.max(0, Math.ceil((completedAt - now) / state.clock.speed)),
    },
  };
  for (const key of ["lr_scheduler", "warmup_ratio", "max_grad_norm", "weight_decay", "random_seed", "packing", "max_seq_length", "from_checkpoint"]) {
    if (job.request[key] !== undefined) json[key] = job.request[key];
  }
  if (full) {
    const file = state.files.get(job.trainingFile);
    json.trainingfile_numlines = file?.check?.lines ?? 0;
    json.trainingfile_size = file?.data?.length ?? 0;
    json.param_count = findModel(job.model)?.parameters ?? 0;
    json.queue_depth = status === "queued" ? 1 : 0;
    json.eval_steps = evalSteps(job).length;
    json.wandb_url = null;
    if (status === "completed") json.model_output_path = `s3://together-emulator/finetune/${job.id}/output`;
  }
  return json;
}

function lookupJob(state: EmulatorState, id: string): JobRecord {
  const job = state.jobs.get(id);
  if (!job) throw notFound(`Fine-tune job ${id} not found`);
  return job;
}

function usableFile(state: EmulatorState, id: string, param: string): FileRecord {
  const file = state.files.get(id);
  if (!file) throw invalid(`File ${id} not found`, param);
  if (file.check && !file.check.valid) {
    throw invalid(`File ${id} failed validation: ${file.check.error ?? "invalid format"}`, param);
  }
  return file;
}

interface Plan {
  full: boolean;
  dpo: boolean;
  nEpochs: number;
  nEvals: number;
}

function readPlan(body: Record<string, unknown>, modelId: string): Plan {
  const model = findModel(modelId);
  if (!model) throw invalid(`Model ${modelId} is not supported for fine-tuning`, "model", "model_not_supported");
  const type = body.training_type as { type?: unknown; lora_r?: unknown; lora_alpha?: unknown } | undefined | null;
  let full = false;
  if (type !== undefined && type !== null) {
    if (typeof type !== "object") throw invalid("training_type must be an object", "training_type");
    if (type.type === "Full") {
      if (!model.supportsFullTraining) throw invalid(`${modelId} does not support full fine-tuning`, "training_type");
      full = true;
    } else if (type.type === "Lora") {
      const rank = type.lora_r;
      if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 1 || rank > LIMITS.loraMaxRank) {
        throw invalid(`lora_r must be an integer from 1 to ${LIMITS.loraMaxRank}`, "training_type.lora_r");
      }
      if (typeof type.lora_alpha !== "number" || !Number.isInteger(type.lora_alpha) || type.lora_alpha < 1) {
        throw invalid("lora_alpha must be a positive integer", "training_type.lora_alpha");
      }
    } else {
      throw invalid("training_type.type must be Lora or Full", "training_type.type");
    }
  }
  const method = body.training_method as { method?: unknown } | undefined | null;
  if (method !== undefined && method !== null && method.method !== "sft" && method.method !== "dpo") {
    throw invalid("training_method.method must be sft or dpo", "training_method.method");
  }
  return {
    full,
    dpo: method?.method === "dpo",
    nEpochs: optionalInteger(body, "n_epochs", 1, 1, LIMITS.maxNumEpochs),
    nEvals: optionalInteger(body, "n_evals", 0, 0, LIMITS.maxNumEvals),
  };
}

function estimate(state: EmulatorState, body: Record<string, unknown>): Record<string, unknown> {
  const trainingId = requiredString(body, "training_file");
  const modelId = requiredString(body, "model");
  const plan = readPlan(body, modelId);
  const training = state.files.get(trainingId);
  if (!training) throw invalid(`File ${trainingId} not found`, "training_file");
  const validationId = optionalString(body, "validation_file");
  const validation = validationId ? state.files.get(validationId) : undefined;
  if (validationId && !validation) throw invalid(`File ${validationId} not found`, "validation_file");
  const unavailable = (reason: string) => ({ estimation_available: false, unavailable_reason: reason });
  const trainingStatus = processingStatus(state, training);
  if (trainingStatus === "INVALID_FORMAT") return unavailable("train_file_invalid");
  if (trainingStatus !== "COMPLETED") return unavailable("train_file_not_validated");
  if (validation) {
    const validationStatus = processingStatus(state, validation);
    if (validationStatus === "INVALID_FORMAT") return unavailable("eval_file_invalid");
    if (validationStatus !== "COMPLETED") return unavailable("eval_file_not_validated");
  }
  const trainTokens = plan.nEpochs * (training.check?.tokens ?? 0);
  const evalTokens = plan.nEvals * (validation?.check?.tokens ?? 0);
  const rate = ratePerMillion(findModel(modelId)!, plan.full, plan.dpo);
  const price = ((trainTokens + evalTokens) * rate) / 1e6;
  return {
    estimation_available: true,
    estimated_total_price: price,
    allowed_to_proceed: price <= state.creditLimitUsd,
    user_limit: state.creditLimitUsd,
    estimated_train_token_count: trainTokens,
    estimated_eval_token_count: evalTokens,
  };
}

function create(ctx: Ctx): Record<string, unknown> {
  const { state } = ctx;
  const body = jsonBody(ctx);
  const modelId = requiredString(body, "model");
  const trainingId = requiredString(body, "training_file");
  const plan = readPlan(body, modelId);
  const training = usableFile(state, trainingId, "training_file");
  const validationId = optionalString(body, "validation_file");
  const validation = validationId ? usableFile(state, validationId, "validation_file") : undefined;
  if (plan.nEvals > 0 && !validation) throw invalid("n_evals needs a validation_file", "n_evals");
  const nCheckpoints = optionalInteger(body, "n_checkpoints", 1, 1, LIMITS.maxNumCheckpoints);
  const suffix = optionalString(body, "suffix");
  if (suffix !== undefined && suffix.length > 64) throw invalid("suffix must be at most 64 characters", "suffix");
  let batchSize: number | "max" = "max";
  if (body.batch_size !== undefined && body.batch_size !== "max") {
    batchSize = optionalInteger(body, "batch_size", LIMITS.maxBatchDefault, LIMITS.minBatchSize, plan.dpo ? LIMITS.maxBatchSizeDpo : LIMITS.maxBatchSize);
  }
  const learningRate = body.learning_rate ?? 1e-5;
  if (typeof learningRate !== "number" || learningRate < LIMITS.minLearningRate || learningRate > LIMITS.maxLearningRate) {
    throw invalid(`learning_rate must be a number from ${LIMITS.minLearningRate} to ${LIMITS.maxLearningRate}`, "learning_rate");
  }
  const priced = estimate(state, { ...body, training_file: trainingId });
  if (priced.estimation_available === true && priced.allowed_to_proceed === false) {
    throw new ApiError(
      402,
      `The estimated price of $${(priced.estimated_total_price as number).toFixed(2)} exceeds your credit limit of $${state.creditLimitUsd.toFixed(2)}`,
      "payment_required",
      null,
      "insufficient_balance",
    );
  }
  const lines = Math.max(1, training.check?.lines ?? 1);
  const perBatch = batchSize === "max" ? LIMITS.maxBatchDefault : batchSize;
  const stepsPerEpoch = Math.max(2, Math.ceil(lines / perBatch));
  const model = findModel(modelId)!;
  const shortId = Math.random().toString(16).slice(2, 10);
  const job: JobRecord = {
    id: newId("ft"),
    createdMs: state.clock.now(),
    request: body,
    model: modelId,
    trainingFile: trainingId,
    validationFile: validationId,
    suffix,
    nEpochs: plan.nEpochs,
    nCheckpoints,
    nEvals: plan.nEvals,
    batchSize,
    learningRate,
    full: plan.full,
    dpo: plan.dpo,
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * plan.nEpochs,
    tokenCount: plan.nEpochs * (training.check?.tokens ?? 0) + plan.nEvals * (validation?.check?.tokens ?? 0),
    ratePerMillion: ratePerMillion(model, plan.full, plan.dpo),
    outputName: `${state.owner}/${modelId.split("/").pop()}${suffix ? `-${suffix}` : ""}-${shortId}`,
    timeline: [],
    events: [],
  };
  buildTimeline(job);
  state.jobs.set(job.id, job);
  return jobJson(state, job, false);
}

function metrics(ctx: Ctx): Record<string, unknown> {
  const job = lookupJob(ctx.state, ctx.params.id);
  const number = (name: string) => {
    const value = ctx.query.get(name);
    if (value === null) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n)) throw invalid(`${name} must be an integer`, name);
    return n;
  };
  const from = number("global_step_from") ?? 0;
  const to = number("global_step_to") ?? Number.POSITIVE_INFINITY;
  const done = stepsDone(ctx.state, job);
  const evals = new Set(evalSteps(job));
  const rows: Array<Record<string, number>> = [];
  for (let step = 1; step <= done; step += 1) {
    if (step < from || step > to) continue;
    rows.push({
      "train/loss": Number(loss(job, step).toFixed(6)),
      "train/learning_rate": learningRate(job, step),
      "train/global_step": step,
      "train/epoch": Number((step / job.stepsPerEpoch).toFixed(4)),
    });
    if (evals.has(step)) rows.push({ "eval/loss": Number((loss(job, step) + 0.05).toFixed(6)), "train/global_step": step });
  }
  return { metrics: rows };
}

function checkpoints(ctx: Ctx): Record<string, unknown> {
  const { state } = ctx;
  const job = lookupJob(state, ctx.params.id);
  const done = stepsDone(state, job);
  const completed = jobStatus(state, job) === "completed";
  const data = checkpointSteps(job)
    .filter((step) => step <= done && (step !== job.totalSteps || completed))
    .map((step) => ({
      step,
      created_at: iso(state.clock.realAt(job.createdMs, trainingStart() + step * PHASES.perStep)),
      path: step === job.totalSteps ? `s3://together-emulator/finetune/${job.id}/output` : checkpointPath(job, step),
      checkpoint_type: step === job.totalSteps ? "Final" : "Intermediate",
      checkpoint: job.full ? "model" : "adapter",
    }))
    .reverse();
  return { data };
}

function download(ctx: Ctx) {
  const { state, query } = ctx;
  const id = query.get("ft_id");
  if (!id) throw invalid("ft_id is required", "ft_id");
  const job = lookupJob(state, id);
  const stepText = query.get("checkpoint_step");
  const checkpoint = query.get("checkpoint");
  let step: number | undefined;
  if (stepText !== null) {
    step = Number(stepText);
    if (!Number.isInteger(step) || step < 0) throw invalid("checkpoint_step must be a whole number", "checkpoint_step");
  } else if (checkpoint === null) {
    throw invalid("checkpoint is required unless checkpoint_step is set", "checkpoint");
  } else if (!["merged", "adapter", "model_output_path"].includes(checkpoint)) {
    throw invalid("checkpoint must be merged, adapter or model_output_path", "checkpoint");
  }
  if (jobStatus(state, job) !== "completed") throw invalid(`Job ${id} is not completed`, "ft_id");
  if (step !== undefined && step !== 0 && !checkpointSteps(job).includes(step)) throw notFound(`Job ${id} has no checkpoint at step ${step}`);
  const archive = Buffer.from(
    `selftune Together emulator model archive (not a real model)\n${JSON.stringify({ job: id, model: job.outputName, checkpoint, step })}\n`,
  );
  const name = `${job.outputName.split("/").pop()}.tar.zst`;
  return {
    status: 200,
    body: archive,
    headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${name}"` },
  };
}

export const fineTuneRoutes: Route[] = [
  { method: "GET", path: "/fine-tunes/models/supported", handler: () => ok({ models: MODELS.map((model) => model.id) }) },
  {
    method: "GET",
    path: "/fine-tunes/models/limits",
    handler: (ctx) => {
      const name = ctx.query.get("model_name");
      if (!name) throw invalid("model_name is required", "model_name");
      const model = findModel(name);
      if (!model) throw new BareError(404, `Model ${name} is not supported for fine-tuning`);
      return ok(modelLimits(model));
    },
  },
  { method: "POST", path: "/fine-tunes/estimate-price", handler: (ctx) => ok(estimate(ctx.state, jsonBody(ctx))) },
  { method: "POST", path: "/fine-tunes", handler: (ctx) => ok(create(ctx)) },
  {
    method: "GET",
    path: "/fine-tunes",
    handler: (ctx) => ok({ object: "list", data: [...ctx.state.jobs.values()].map((job) => jobJson(ctx.state, job, false)) }),
  },
  { method: "GET", path: "/fine-tunes/{id}", handler: (ctx) => ok(jobJson(ctx.state, lookupJob(ctx.state, ctx.params.id), true)) },
  {
    method: "DELETE",
    path: "/fine-tunes/{id}",
    handler: (ctx) => {
      const job = lookupJob(ctx.state, ctx.params.id);
      if (!TERMINAL.has(jobStatus(ctx.state, job))) throw invalid(`Job ${job.id} is still running: cancel it first`);
      ctx.state.jobs.delete(job.id);
      return ok({ message: `Job ${job.id} deleted` });
    },
  },
  {
    method: "POST",
    path: "/fine-tunes/{id}/cancel",
    handler: (ctx) => {
      const job = lookupJob(ctx.state, ctx.params.id);
      const status = jobStatus(ctx.state, job);
      if (TERMINAL.has(status)) throw invalid(`Job ${job.id} is ${status} and cannot be cancelled`);
      if (job.cancelledAt === undefined) job.cancelledAt = elapsed(ctx.state, job);
      return ok(jobJson(ctx.state, job, false));
    },
  },
  {
    method: "GET",
    path: "/fine-tunes/{id}/events",
    handler: (ctx) => {
      const job = lookupJob(ctx.state, ctx.params.id);
      return ok({ object: "list", data: visibleEvents(ctx.state, job).map((event) => eventJson(ctx.state, job, event)) });
    },
  },
  { method: "GET", path: "/fine-tunes/{id}/checkpoints", handler: (ctx) => ok(checkpoints(ctx)) },
  { method: "GET", path: "/fine-tunes/{id}/metrics", handler: (ctx) => ok(metrics(ctx)) },
  { method: "GET", path: "/finetune/download", handler: download },
];

/** Model names that exist once their jobs complete, for serving. */
export function completedOutputs(state: EmulatorState): Map<string, JobRecord> {
  const outputs = new Map<string, JobRecord>();
  for (const job of state.jobs.values()) if (jobStatus(state, job) === "completed") outputs.set(job.outputName, job);
  return outputs;
}
