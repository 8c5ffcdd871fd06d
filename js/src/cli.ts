#!/usr/bin/env node
// The `selftune` command: one job per run, plain words on stdout, `--json` for machines.
// Exit codes: 0 success, 1 a failed job, 2 bad usage.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { isSelftuneError, selftuneError } from "./errors.js";
import { createNodeHost, defaultDataDir } from "./hosts/node.js";
import { ingestFile, type IngestReport } from "./ingest.js";
import { Selftune } from "./selftune.js";
import type { LogStats } from "./core.js";

const USAGE = `Usage: selftune <command> [options]

Commands:
  ingest FILE     feed recorded events (JSONL: {"event": "plugin-success" | "mcp-success", "payload": {...}})
                  through the live capture path and report what was stored
  stats           summarize the example log
  audit           print the audit log (one line per operation, no content)
  forget ID       remove one example (and sightings of duplicates of it) for good
  demo            ingest the bundled sample events into a fresh folder and summarize them
  help            show this text

Options:
  --data-dir DIR  where the example log lives (default: $TRAINING_DATA_DIR, else ./training-data;
                  demo: a new temporary folder)
  --limit N       audit: only the newest N entries
  --json          print one JSON object instead of text
`;

const SAMPLE_EVENTS = fileURLToPath(new URL("../samples/events.jsonl", import.meta.url));

interface Options {
  json: boolean;
  dataDir?: string;
  limit?: number;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        "data-dir": { type: "string" },
        limit: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  const options: Options = { json: parsed.values.json ?? false, dataDir: parsed.values["data-dir"] };
  if (parsed.values.limit !== undefined) {
    const limit = Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1) return usageError("--limit must be a whole number of at least 1");
    options.limit = limit;
  }
  if (parsed.values.help || command === undefined || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  switch (command) {
    case "ingest":
      if (rest.length !== 1) return usageError("ingest takes exactly one FILE");
      return ingest(rest[0], options);
    case "stats":
      if (rest.length !== 0) return usageError("stats takes no arguments");
      return stats(options);
    case "audit":
      if (rest.length !== 0) return usageError("audit takes no arguments");
      return audit(options);
    case "forget":
      if (rest.length !== 1) return usageError("forget takes exactly one example ID");
      return forget(rest[0], options);
    case "demo":
      if (rest.length !== 0) return usageError("demo takes no arguments");
      return demo(options);
    default:
      return usageError(`unknown command '${command}'`);
  }
}

function usageError(message: string): number {
  process.stderr.write(`selftune: ${message}\n\n${USAGE}`);
  return 2;
}

async function open(dataDir: string): Promise<Selftune> {
  return Selftune.create(createNodeHost({ dataDir }));
}

async function ingest(file: string, options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const report = await ingestFile(await open(dataDir), file);
  if (options.json) print({ dataDir, ...report });
  else process.stdout.write(formatIngest(file, dataDir, report));
  return 0;
}

async function stats(options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const summary = await (await open(dataDir)).stats();
  if (options.json) print({ dataDir, ...summary });
  else process.stdout.write(formatStats(dataDir, summary));
  return 0;
}

async function audit(options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const entries = await (await open(dataDir)).audit(options.limit);
  if (options.json) {
    print({ dataDir, entries });
    return 0;
  }
  for (const entry of entries) {
    const { at, op, ...details } = entry as unknown as { at: number; op: string } & Record<string, unknown>;
    const fields = Object.entries(details)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    process.stdout.write(`${new Date(at).toISOString()}  ${op.padEnd(10)} ${fields}\n`);
  }
  if (entries.length === 0) process.stdout.write(`The audit log in ${dataDir} is empty.\n`);
  return 0;
}

async function forget(exampleId: string, options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const result = await (await open(dataDir)).forget(exampleId);
  if (options.json) print({ dataDir, ...result });
  else if (result.forgotten) process.stdout.write(`Forgot ${exampleId} (${result.removedLines} log lines removed).\n`);
  else process.stdout.write(`No example ${exampleId} in ${dataDir}.\n`);
  return result.forgotten ? 0 : 1;
}

async function demo(options: Options): Promise<number> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "selftune-demo-")));
  const selftune = await open(dataDir);
  const report = await ingestFile(selftune, SAMPLE_EVENTS);
  const summary = await selftune.stats();
  if (options.json) {
    print({ dataDir, ingest: report, stats: summary });
  } else {
    process.stdout.write(formatIngest("the bundled sample events", dataDir, report));
    process.stdout.write("\n");
    process.stdout.write(formatStats(dataDir, summary));
  }
  return 0;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = isSelftuneError(error) ? error.message : String((error as Error)?.stack ?? error);
    process.stderr.write(`selftune: ${message}\n`);
    process.exitCode = 1;
  },
);

// Keeps the helper importable for tests without running a command twice.
export { selftuneError };
