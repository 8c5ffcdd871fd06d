// The pipeline commands of the CLI: launch, resume, status, cancel.
import { readFile } from "node:fs/promises";

import type { PipelineConfigInput, PipelineStatus } from "./core.js";
import { selftuneError } from "./errors.js";
import { createNodeHost } from "./hosts/node.js";
import { PipelineRunner } from "./pipeline.js";
import { Selftune } from "./selftune.js";

export interface PipelineCliOptions {
  json: boolean;
  dataDir: string;
  /** Caps the wait between two steps (for emulators on an accelerated clock). */
  maxDelayMs?: number;
  watch?: boolean;
  intervalMs?: number;
  detach?: boolean;
}

function open(dataDir: string): Promise<Selftune> {
  return Selftune.create(createNodeHost({ dataDir }));
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function exitCode(status: PipelineStatus): number {
  return status.status === "completed" || status.status === "running" ? 0 : 1;
}

/** `[######--------------]  30%  training  small running 3/10 loss 0.412 | large queued  $1.20 of $10.00` */
export function formatStatusLine(status: PipelineStatus): string {
  const width = 20;
  const filled = Math.round((status.progress / 100) * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  const parts = [`${bar} ${status.progress.toFixed(0).padStart(3)}%`, status.currentPhase];
  if (status.currentPhase === "collecting") {
    parts.push(`${status.data.qualifyingExamples}/${status.data.minDataPoints} examples`);
  }
  const jobs = status.jobs
    .filter((job) => job.jobId !== null)
    .map((job) => {
      const steps = job.step !== null && job.totalSteps !== null ? ` ${job.step}/${job.totalSteps}` : "";
      const loss = job.trainingLoss !== null ? ` loss ${job.trainingLoss.toFixed(3)}` : "";
      const valid = job.validationLoss !== null ? ` val ${job.validationLoss.toFixed(3)}` : "";
      return `${job.slot} ${job.status ?? "?"}${steps}${loss}${valid}`;
    });
  if (jobs.length > 0) parts.push(jobs.join(" | "));
  parts.push(`$${status.costs.spentUsd.toFixed(2)} of $${status.costs.budgetUsd.toFixed(2)}`);
  return parts.join("  ");
}

export function formatStatus(status: PipelineStatus): string {
  const lines = [`pipeline ${status.id} (${status.name}): ${status.status}`, `  ${formatStatusLine(status)}`];
  for (const job of status.jobs) {
    lines.push(
      `  ${job.slot.padEnd(5)} ${job.model}  job ${job.jobId ?? "-"}  ${job.status ?? "not created"}` +
        (job.outputModel ? `  -> ${job.outputModel}` : ""),
    );
  }
  lines.push(
    `  costs: estimated $${status.costs.estimatedUsd.toFixed(2)}, spent $${status.costs.spentUsd.toFixed(2)}, budget $${status.costs.budgetUsd.toFixed(2)}`,
  );
  for (const [slot, evaluation] of Object.entries(status.evaluations ?? {})) {
    const s = evaluation.summary;
    lines.push(
      s
        ? `  ${slot.padEnd(5)} evaluation: win rate ${(s.winRate * 100).toFixed(0)}% over ${s.samples}, score ${s.tuned.score.toFixed(3)} vs base ${s.base.score.toFixed(3)}, cost $${evaluation.costUsd.toFixed(2)}`
        : `  ${slot.padEnd(5)} evaluation: ${evaluation.stage}${evaluation.reason ? ` (${evaluation.reason})` : ""}`,
    );
  }
  for (const [slot, deployment] of Object.entries(status.deployments ?? {})) {
    const monthly = deployment.cost.togetherUsdPerMonth;
    lines.push(
      `  ${slot.padEnd(5)} decision: ${deployment.decision.target} (${deployment.decision.cell}); Together ${monthly == null ? "unpriced" : `$${monthly.toFixed(2)}`}/month vs local $${deployment.cost.localServerUsdPerMonth.toFixed(2)}/month` +
        (deployment.summary ? `; ${deployment.summary}` : ""),
    );
  }
  if (status.lastError) lines.push(`  ${status.status === "failed" ? "failed" : "last error"}: ${status.lastError.code}: ${status.lastError.message}`);
  return `${lines.join("\n")}\n`;
}

async function readConfig(file: string): Promise<PipelineConfigInput> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw selftuneError("io", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  try {
    return JSON.parse(text) as PipelineConfigInput;
  } catch {
    throw selftuneError("invalid_config", `${file} is not JSON`);
  }
}

/** Drives `ids` in the foreground, printing progress, until they end or the process is interrupted. */
async function driveForeground(selftune: Selftune, ids: string[], options: PipelineCliOptions): Promise<number> {
  let last = "";
  const runner = new PipelineRunner(selftune, {
    maxDelayMs: options.maxDelayMs,
    onStep: (result) => {
      if (options.json) return;
      void selftune.getPipelineStatus(result.id).then((status) => {
        const line = `${result.id}  ${formatStatusLine(status)}`;
        if (line !== last) process.stdout.write(`${line}\n`);
        last = line;
      });
    },
    onError: (id, error) => process.stderr.write(`selftune: ${id}: ${(error as Error).message}; retrying\n`),
  });
  const interrupt = () => {
    runner.stop();
    process.stderr.write("selftune: interrupted; the pipeline is saved and resumes with `selftune resume`\n");
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    const finals = await Promise.all(ids.map((id) => runner.drive(id)));
    if (options.json) print(ids.length === 1 ? finals[0] : finals);
    else for (const status of finals) process.stdout.write(formatStatus(status));
    return finals.every((status) => status.status === "completed") ? 0 : 1;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}

export async function launch(file: string, options: PipelineCliOptions): Promise<number> {
  const config = await readConfig(file);
  const selftune = await open(options.dataDir);
  const id = await selftune.launchPipeline(config);
  if (options.detach) {
    if (options.json) print({ id });
    else process.stdout.write(`launched pipeline ${id}\n`);
    return 0;
  }
  if (!options.json) process.stdout.write(`launched pipeline ${id}\n`);
  return driveForeground(selftune, [id], options);
}

export async function resume(id: string | undefined, options: PipelineCliOptions): Promise<number> {
  const selftune = await open(options.dataDir);
  const ids = id === undefined ? await selftune.unfinishedPipelines() : [id];
  if (ids.length === 0) {
    if (options.json) print([]);
    else process.stdout.write("no unfinished pipelines\n");
    return 0;
  }
  return driveForeground(selftune, ids, options);
}

export async function status(id: string | undefined, options: PipelineCliOptions): Promise<number> {
  const selftune = await open(options.dataDir);
  if (id === undefined) {
    const all = await selftune.listPipelines();
    if (options.json) print(all);
    else if (all.length === 0) process.stdout.write("no pipelines\n");
    else for (const one of all) process.stdout.write(`${one.id}  ${one.status.padEnd(9)}  ${formatStatusLine(one)}\n`);
    return 0;
  }
  let current = await selftune.getPipelineStatus(id);
  if (!options.watch) {
    if (options.json) print(current);
    else process.stdout.write(formatStatus(current));
    return exitCode(current);
  }
  let last = "";
  for (;;) {
    // A fresh handle each time: another process drives the pipeline and writes its state.
    current = await (await open(options.dataDir)).getPipelineStatus(id);
    const line = options.json ? JSON.stringify(current) : formatStatusLine(current);
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (current.status !== "running") break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
  }
  if (!options.json) process.stdout.write(formatStatus(current));
  return exitCode(current);
}

export async function cancel(id: string, options: PipelineCliOptions): Promise<number> {
  const selftune = await open(options.dataDir);
  const result = await selftune.cancelPipeline(id);
  if (options.json) print(result);
  else process.stdout.write(formatStatus(result));
  return result.status === "cancelled" ? 0 : 1;
}
