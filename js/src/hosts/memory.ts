import type { SelftuneHost, SelftuneStorage } from "../core.js";
import { checkStoragePath } from "./paths.js";
import type { LogLevel } from "./node.js";

/** Storage in a Map, for tests and throwaway runs. */
export class MemoryStorage implements SelftuneStorage {
  readonly files = new Map<string, string>();

  async read(path: string): Promise<string | null> {
    checkStoragePath(path);
    return this.files.get(path) ?? null;
  }

  async write(path: string, contents: string): Promise<void> {
    checkStoragePath(path);
    this.files.set(path, contents);
  }

  async append(path: string, contents: string): Promise<void> {
    checkStoragePath(path);
    this.files.set(path, (this.files.get(path) ?? "") + contents);
  }

  async list(dir: string): Promise<string[]> {
    checkStoragePath(dir);
    const prefix = `${dir}/`;
    return [...this.files.keys()]
      .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes("/"))
      .map((path) => path.slice(prefix.length))
      .sort();
  }

  async remove(path: string): Promise<void> {
    checkStoragePath(path);
    this.files.delete(path);
  }
}

export interface MemoryHost extends SelftuneHost {
  storage: MemoryStorage;
  /** Every line the core logged. */
  logs: Array<{ level: LogLevel; message: string }>;
  /** Moves the clock forward; `sleep` does this too instead of waiting. */
  advance(ms: number): void;
}

export interface MemoryHostOptions {
  /** Start time in ms since the epoch (default: now). */
  now?: number;
  fetch?: SelftuneHost["fetch"];
}

/** A host with in-memory storage and a simulated clock. */
export function createMemoryHost(options: MemoryHostOptions = {}): MemoryHost {
  let clock = options.now ?? Date.now();
  const host: MemoryHost = {
    fetch: options.fetch ?? ((url, init) => fetch(url, init as RequestInit)),
    storage: new MemoryStorage(),
    logs: [],
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    log: (level, message) => {
      host.logs.push({ level, message });
    },
    advance: (ms) => {
      clock += ms;
    },
  };
  return host;
}
