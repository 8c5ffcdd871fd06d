// A local emulator of the Together.ai API, faithful enough to run selftune's whole pipeline (and
// Together's own SDK) without a network or an API key: files with server-side validation, price
// estimates, fine-tuning jobs on an accelerated clock, chat completions, hardware and dedicated
// endpoints, and fault injection per route. It listens on loopback only.
//
// ```js
// const emulator = await startEmulator({ speed: 3600 });
// // TOGETHER_BASE_URL=emulator.baseUrl, any non-empty TOGETHER_API_KEY
// await emulator.close();
// ```

import type { AddressInfo } from "node:net";

import { EmulatorClock } from "./clock.js";
import { Faults, type FaultRule } from "./faults.js";
import { createEmulatorServer, type RecordedRequest } from "./server.js";
import type { EmulatorState } from "./state.js";

export type { FaultRule } from "./faults.js";
export type { RecordedRequest } from "./server.js";

export interface EmulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** A loopback address (default 127.0.0.1). */
  host?: string;
  /** Emulated seconds per real second (default 60: a minute of Together's time per second). */
  speed?: number;
  /** Faults in force from the start. */
  faults?: FaultRule[];
  /** Keys accepted in `Authorization: Bearer`; default: any non-empty token. */
  apiKeys?: string[];
  /** The account's credit limit in dollars (default 100): jobs estimated above it get 402. */
  creditLimitUsd?: number;
  /** The account name in output model names (default `selftune-emulator`). */
  owner?: string;
  /** The real clock, ms since the epoch (default `Date.now`): tests pass one they move by hand. */
  now?: () => number;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT/v1`: use it as TOGETHER_BASE_URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly speed: number;
  /** Every request received (not the control API's), oldest first. */
  readonly requests: RecordedRequest[];
  readonly faults: {
    add(rules: FaultRule | FaultRule[]): void;
    clear(): void;
    list(): Array<FaultRule & { remaining: number }>;
  };
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|localhost)$/;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) throw new RangeError(`the emulator listens on loopback only (got host '${host}')`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port must be 0..65535 (got ${port})`);
  const speed = options.speed ?? 60;
  const faults = new Faults();
  if (options.faults) faults.add(options.faults);
  const requests: RecordedRequest[] = [];
  const state: EmulatorState = {
    clock: new EmulatorClock(speed, options.now ?? Date.now),
    owner: options.owner ?? "selftune-emulator",
    creditLimitUsd: options.creditLimitUsd ?? 100,
    origin: "",
    files: new Map(),
    jobs: new Map(),
    endpoints: new Map(),
    uploadTokens: new Map(),
  };
  const server = createEmulatorServer({ state, faults, requests, apiKeys: options.apiKeys });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  state.origin = `http://${hostPart}:${address.port}`;
  return {
    baseUrl: `${state.origin}/v1`,
    port: address.port,
    speed,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
