// Pipelines in words, for chat replies and the agent's context.
import type { PipelineStatus } from "../core.js";

const usd = (n: number) => `$${n.toFixed(2)}`;

/** `pl_0123abcd: training 45% (small running 30/60, large queued), $1.20 of $10.00` */
export function describeBriefly(status: PipelineStatus): string {
  const jobs = status.jobs
    .filter((job) => job.status !== null)
    .map((job) => `${job.slot} ${job.status}${job.step !== null && job.totalSteps !== null ? ` ${job.step}/${job.totalSteps}` : ""}`);
  const collecting =
    status.currentPhase === "collecting" ? ` (${status.data.qualifyingExamples}/${status.data.minDataPoints} examples)` : "";
  const phase = status.status === "running" ? `${status.currentPhase} ${status.progress.toFixed(0)}%` : status.status;
  return `${status.id}: ${phase}${collecting}${jobs.length ? ` (${jobs.join(", ")})` : ""}, ${usd(status.costs.spentUsd)} of ${usd(status.costs.budgetUsd)}`;
}

/** A few lines: the brief line, each job's loss, evaluation and deployment decision, the last error. */
export function describeFully(status: PipelineStatus): string {
  const lines = [`Pipeline "${status.name}" ${describeBriefly(status)}`];
  for (const job of status.jobs) {
    const loss = job.trainingLoss === null ? "" : `, training loss ${job.trainingLoss.toFixed(3)}`;
    const valid = job.validationLoss === null ? "" : `, validation loss ${job.validationLoss.toFixed(3)}`;
    lines.push(`- ${job.slot}: ${job.model}, job ${job.jobId ?? "not created"} ${job.status ?? ""}${loss}${valid}`.trimEnd());
  }
  for (const [slot, evaluation] of Object.entries(status.evaluations ?? {})) {
    const s = evaluation.summary;
    if (s) lines.push(`- ${slot} evaluation: wins ${(s.winRate * 100).toFixed(0)}% of ${s.samples} test requests against its base`);
  }
  for (const [slot, deployment] of Object.entries(status.deployments ?? {})) {
    lines.push(`- ${slot} deployment: ${deployment.decision.target}${deployment.summary ? `: ${deployment.summary}` : ""}`);
  }
  if (status.lastError) lines.push(`- ${status.status === "failed" ? "failed" : "last error"}: ${status.lastError.message}`);
  return lines.join("\n");
}
