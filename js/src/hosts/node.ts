import { setTimeout as delay } from "node:timers/promises";

import type { SelftuneHost } from "../core.js";
import { FileStorage } from "./fs-storage.js";
import { parseCheck } from "./parse-check.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, message: string) => void;

export interface NodeHostOptions {
  /** Where the example log and pipeline state live. Default: `TRAINING_DATA_DIR`, else `./training-data`. */
  dataDir?: string;
  /** fsync every write (default true). */
  sync?: boolean;
  /** Where log lines go. Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Default: the global `fetch`. */
  fetch?: SelftuneHost["fetch"];
}

export const DEFAULT_DATA_DIR = "./training-data";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRAINING_DATA_DIR || DEFAULT_DATA_DIR;
}

/** Writes warnings and errors to stderr, prefixed so they stand out from a program's output. */
export const stderrLogger: Logger = (level, message) => {
  if (level === "warn" || level === "error") {
    process.stderr.write(`selftune ${level}: ${message}\n`);
  }
};

/** A host for Node: global fetch, storage on disk, the wall clock, timers, and esbuild as the parser when installed. */
export function createNodeHost(options: NodeHostOptions = {}): SelftuneHost & { storage: FileStorage } {
  const logger = options.logger ?? stderrLogger;
  const fetchImpl = options.fetch ?? ((url, init) => fetch(url, init as RequestInit));
  return {
    fetch: fetchImpl,
    storage: new FileStorage(options.dataDir ?? defaultDataDir(), { sync: options.sync }),
    now: () => Date.now(),
    sleep: (ms) => delay(ms).then(() => undefined),
    log: logger,
    parseCheck,
  };
}
