import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

import { isSelftuneError, selftuneError } from "./errors.js";
import type { Selftune } from "./selftune.js";

/** One line of a recorded events file. */
export type RecordedEvent =
  | { event: "plugin-success"; payload: unknown }
  | { event: "mcp-success"; payload: unknown };

export interface IngestProblem {
  line: number;
  reason: string;
  message: string;
}

export interface IngestReport {
  /** Non-blank lines read. */
  events: number;
  stored: number;
  duplicates: number;
  /** Events not stored, by reason: `not_successful`, `invalid_event`, `invalid_json`, `unknown_event`. */
  rejected: Record<string, number>;
  /** The first problems, with their line numbers (at most 50). */
  problems: IngestProblem[];
}

const MAX_PROBLEMS = 50;

/**
 * Feeds recorded events through the live capture path, one line at a time. Lines that are not
 * events are counted as rejected; a storage failure stops the ingest and is thrown.
 */
export async function ingestLines(
  selftune: Selftune,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<IngestReport> {
  const report: IngestReport = { events: 0, stored: 0, duplicates: 0, rejected: {}, problems: [] };
  const reject = (line: number, reason: string, message: string) => {
    report.rejected[reason] = (report.rejected[reason] ?? 0) + 1;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push({ line, reason, message });
  };
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === "") continue;
    report.events += 1;
    let recorded: unknown;
    try {
      recorded = JSON.parse(line);
    } catch {
      // JSON.parse's message quotes the line, which may hold a secret: say only where it broke.
      reject(lineNumber, "invalid_json", "not valid JSON");
      continue;
    }
    const kind = (recorded as { event?: unknown } | null)?.event;
    const payload = (recorded as { payload?: unknown } | null)?.payload;
    if (kind !== "plugin-success" && kind !== "mcp-success") {
      reject(
        lineNumber,
        "unknown_event",
        `"event" must be "plugin-success" or "mcp-success", got ${describeKind(kind)}`,
      );
      continue;
    }
    try {
      const result =
        kind === "plugin-success"
          ? await selftune.onPluginSuccess(payload as never)
          : await selftune.onMcpSuccess(payload as never);
      if (result.stored) report.stored += 1;
      else if (result.reason === "duplicate") report.duplicates += 1;
      else reject(lineNumber, result.reason, "the outcome was not successful");
    } catch (error) {
      if (isSelftuneError(error) && error.code === "invalid_event") {
        reject(lineNumber, "invalid_event", error.message);
        continue;
      }
      throw error;
    }
  }
  return report;
}

/** Names a wrong `event` value without echoing arbitrary text. */
function describeKind(kind: unknown): string {
  if (kind === undefined) return "nothing";
  if (typeof kind === "string" && /^[\w.-]{1,40}$/.test(kind)) return JSON.stringify(kind);
  return `a ${typeof kind === "string" ? "longer string" : typeof kind}`;
}

/** Ingests a JSONL file of recorded events. */
export async function ingestFile(selftune: Selftune, file: string): Promise<IngestReport> {
  const stream = createReadStream(file, { encoding: "utf8" });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  try {
    await opened;
  } catch (error) {
    throw selftuneError("io", `cannot read '${file}': ${(error as Error).message}`);
  }
  return ingestLines(selftune, createInterface({ input: stream, crlfDelay: Infinity }));
}
