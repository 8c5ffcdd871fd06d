// The CLI's text for the example log and the datasets: an ingest report, the log's summary and a
// dataset manifest (shared by the commands and the demo).
import { join } from "node:path";

import type { DatasetManifest, LogStats } from "./core.js";
import type { IngestReport } from "./ingest.js";

export function formatIngest(source: string, dataDir: string, report: IngestReport): string {
  const rejected = Object.entries(report.rejected);
  const lines = [
    `Ingested ${source} into ${dataDir}`,
    `  events      ${report.events}`,
    `  stored      ${report.stored}`,
    `  duplicates  ${report.duplicates}`,
    `  rejected    ${rejected.reduce((sum, [, n]) => sum + n, 0)}${
      rejected.length ? `  (${rejected.map(([reason, n]) => `${reason} ${n}`).join(", ")})` : ""
    }`,
  ];
  for (const problem of report.problems) {
    lines.push(`    line ${problem.line}: ${problem.reason}: ${problem.message}`);
  }
  return `${lines.join("\n")}\n`;
}


export function formatStats(dataDir: string, stats: LogStats): string {
  const pairs = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, n]) => `${key}: ${n}`)
      .join(", ");
  const day = (ms: number | null | undefined) => (ms == null ? "-" : new Date(ms).toISOString().slice(0, 10));
  const lines = [
    `Example log in ${dataDir}`,
    `  examples       ${stats.examples}${stats.examples ? `  (${pairs(stats.byKind)})` : ""}`,
    `  duplicates     ${stats.duplicates}`,
    `  quality        ${stats.meanQuality == null ? "-" : `mean ${stats.meanQuality.toFixed(2)}  (${pairs(stats.byQuality)})`}`,
    `  files          ${stats.files}  (${(stats.contentBytes / 1024).toFixed(1)} KiB of code)`,
    `  partitions     ${stats.partitions}  (${day(stats.firstCapturedAt)} .. ${day(stats.lastCapturedAt)})`,
    `  skipped lines  ${stats.skippedLines}`,
  ];
  return `${lines.join("\n")}\n`;
}


export function formatManifest(outDir: string, manifest: DatasetManifest): string {
  const lines = [`Built datasets from ${manifest.examplesRead} examples into ${outDir}`];
  for (const profile of manifest.profiles) {
    const { counts, tokens, dropped, estimatedTrainingCostUsd: cost } = profile;
    const left = Object.entries(dropped)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`);
    lines.push(
      `  ${profile.name.padEnd(6)} ${profile.model} (${profile.format}${profile.reasoning ? ", with reasoning" : ""}, at most ${profile.maxTokens} tokens)`,
      `         train ${counts.train}, validation ${counts.validation}, test ${counts.test}${left.length ? `; left out: ${left.join(", ")}` : ""}${profile.truncated ? `; truncated ${profile.truncated}` : ""}`,
      `         ${tokens.train + tokens.validation + tokens.test} tokens (longest ${tokens.max}${tokens.exact ? "" : ", estimated"}); about $${cost.amountUsd.toFixed(2)} for ${cost.epochs} epochs at $${cost.rateUsdPerMillionTokens}/M tokens`,
      `         ${profile.validated ? "every file passed the Together-format checks" : "VALIDATION FAILED: see the log"}`,
    );
  }
  lines.push(`Manifest: ${join(outDir, "manifest.json")}`);
  return `${lines.join("\n")}\n`;
}

