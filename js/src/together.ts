// The Together.ai client for JS: the core's `TogetherClient` (retries, rate limit, timeouts and
// typed errors all live in the Rust core) over a host's `fetch`, clock and log.
import { core } from "./core.js";
import type { SelftuneHost, TogetherOptions } from "./core.js";
import { createNodeHost } from "./hosts/node.js";

export type {
  ChatCompletion,
  ChatMessage,
  ChatRequest,
  Checkpoint,
  CreateEndpoint,
  CreateFineTune,
  DownloadOptions,
  Endpoint,
  EndpointState,
  EstimatePrice,
  FileDeleted,
  FileObject,
  FileUpload,
  FileValidationReport,
  FineTuneEvent,
  FineTuneJob,
  Hardware,
  JobStatus,
  Metrics,
  MetricsFilter,
  ModelDownload,
  ModelLimits,
  PriceEstimate,
  ProcessingStatus,
  TogetherOptions,
  TrainingMethod,
  TrainingType,
  UpdateEndpoint,
  WaitOptions,
} from "./core.js";

export type TogetherClient = InstanceType<typeof core.TogetherClient>;

/** The environment variables the client reads. */
export const TOGETHER_ENV = ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHER_BASE_URL", "TOGETHER_TIMEOUT_MS"] as const;

export interface TogetherClientOptions extends TogetherOptions {
  /** Default: the Node host (global `fetch`, wall clock, warnings to stderr). */
  host?: SelftuneHost;
  /** Where TOGETHER_* settings are read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Only the variables the client reads: the rest of the environment never crosses into wasm. */
export function togetherEnv(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of TOGETHER_ENV) {
    const value = env[name];
    if (typeof value === "string") picked[name] = value;
  }
  return picked;
}

/**
 * A Together client. Settings come from `options`, then `TOGETHER_API_KEY` (or
 * `TOGETHER_AI_API_KEY`), `TOGETHER_BASE_URL` and `TOGETHER_TIMEOUT_MS`, then defaults (Together's
 * public `https://api.together.xyz/v1`). Throws `invalid_config` without an API key.
 *
 * ```js
 * const together = createTogetherClient({ baseUrl: emulator.baseUrl, apiKey: "test-key-not-real" });
 * const file = await together.uploadFile({ fileName: "train.jsonl" }, bytes);
 * await together.waitForFile(file.id);
 * ```
 */
export function createTogetherClient(options: TogetherClientOptions = {}): TogetherClient {
  const { host, env, ...settings } = options;
  return new core.TogetherClient(host ?? createNodeHost(), settings, togetherEnv(env ?? process.env));
}
