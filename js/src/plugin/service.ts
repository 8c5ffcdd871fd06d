// SelftuneService: the plugin's one long-lived part. It opens the example log, captures the
// agent's successful generations, and drives training pipelines with timers that it clears on
// stop. Pipelines live on disk, so a restarted agent resumes them where they were.
import { resolve } from "node:path";

import type { IAgentRuntime } from "@elizaos/core";

import { exportArtifacts } from "../artifacts.js";
import type { CaptureResult, ExampleKind, LogStats, McpEvent, PipelineConfigInput, PipelineStatus, PluginEvent } from "../core.js";
import { createNodeHost, type Logger } from "../hosts/node.js";
import { PipelineRunner } from "../pipeline.js";
import { Selftune } from "../selftune.js";
import { readSettings, type SelftuneSettings } from "./settings.js";

declare module "@elizaos/core" {
  interface ServiceTypeRegistry {
    SELFTUNE: "selftune";
    TOGETHER_AI_AUTOMATION: "together-ai-automation";
  }
}

export type { ExampleKind };

/** What the service has captured since it started. */
export interface CaptureCounters {
  stored: number;
  duplicates: number;
  /** Events that were not a success, or whose content was forgotten. */
  skipped: number;
  /** Events that could not be captured (malformed, storage failure): logged, never thrown. */
  failed: number;
  /** The last failure's message, if any. */
  lastFailure: string | null;
}

/** A logger line for ElizaOS's Pino-style logger: bindings first, then the message. */
function elizaLogger(runtime: IAgentRuntime): Logger {
  const bindings = { src: "plugin:selftune", agentId: runtime.agentId };
  return (level, message) => runtime.logger?.[level]?.(bindings, message);
}

export class SelftuneService {
  static readonly serviceType = "selftune";
  readonly capabilityDescription =
    "Captures the agent's successful plugin and MCP server generations as scrubbed training examples and runs Together.ai fine-tuning pipelines";

  readonly counters: CaptureCounters = { stored: 0, duplicates: 0, skipped: 0, failed: 0, lastFailure: null };
  private stopped = false;

  private constructor(
    protected readonly runtime: IAgentRuntime,
    private readonly opened: { selftune: Selftune; runner: PipelineRunner } | { error: Error },
    readonly settings: SelftuneSettings,
    private readonly log: Logger,
  ) {}

  /**
   * Called by the runtime once it is initialized: opens the log, resumes unfinished pipelines.
   * Never rejects: ElizaOS turns a failed service start into an unhandled rejection that ends the
   * agent's process, so a log that cannot be opened leaves the service running but unavailable
   * (`unavailable` says why; captures are counted as failed, the status route answers the error).
   */
  static async start(runtime: IAgentRuntime): Promise<SelftuneService> {
    const log = elizaLogger(runtime);
    const settings = readSettings(runtime);
    for (const problem of settings.problems) log("error", problem);
    try {
      return await SelftuneService.open(runtime, settings, log);
    } catch (error) {
      const reason = new Error(`the selftune service could not open ${resolve(settings.dataDir)}: ${(error as Error).message}`);
      log("error", `${reason.message}; nothing is captured until the agent restarts with a usable TRAINING_DATA_DIR`);
      return new SelftuneService(runtime, { error: reason }, settings, log);
    }
  }

  private static async open(runtime: IAgentRuntime, settings: SelftuneSettings, log: Logger): Promise<SelftuneService> {
    const dataDir = resolve(settings.dataDir);
    const selftune = await Selftune.create(
      createNodeHost({ dataDir, logger: log }),
      settings.retentionDays === null ? {} : { retentionDays: settings.retentionDays },
    );
    let service: SelftuneService | undefined;
    const runner = new PipelineRunner(selftune, {
      together: togetherOptions(settings),
      env: {},
      maxDelayMs: settings.maxDelayMs,
      onStep: (result) => {
        if (result.done) void service?.pipelineEnded(result.id);
      },
      onError: (id, error) => log("warn", `pipeline ${id}: ${(error as Error).message}; trying again`),
    });
    service = new SelftuneService(runtime, { selftune, runner }, settings, log);
    const unfinished = await selftune.unfinishedPipelines();
    if (unfinished.length > 0 && settings.apiKey === null) {
      log("warn", `${unfinished.length} unfinished pipeline(s) wait for TOGETHER_API_KEY`);
    } else if (unfinished.length > 0) {
      await runner.resumeAll();
      log("info", `resumed pipeline(s) ${unfinished.join(", ")}`);
    }
    log("info", `capturing examples into ${dataDir}`);
    return service;
  }

  /** Called by the runtime for every instance of the service when the agent stops. */
  static async stop(runtime: IAgentRuntime): Promise<void> {
    await selftuneService(runtime)?.stop();
  }

  /** Why the service cannot work (its log could not be opened), or null when it can. */
  get unavailable(): Error | null {
    return "error" in this.opened ? this.opened.error : null;
  }

  /** The example log's handle; throws the reason when the service is unavailable. */
  get selftune(): Selftune {
    if ("error" in this.opened) throw this.opened.error;
    return this.opened.selftune;
  }

  /** Drives this agent's pipelines; throws the reason when the service is unavailable. */
  get runner(): PipelineRunner {
    if ("error" in this.opened) throw this.opened.error;
    return this.opened.runner;
  }

  /** Stops the pipeline timers (pipelines stay resumable) and refuses new captures. */
  async stop(): Promise<void> {
    this.stopped = true;
    if ("runner" in this.opened) await this.opened.runner.stop();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Captures one successful generation. Never throws: a failure is counted, logged and answered
   * with null, because a failing capture must not fail the agent's own action.
   */
  async capture(kind: ExampleKind, event: PluginEvent | McpEvent): Promise<CaptureResult | null> {
    if (this.stopped) {
      this.fail(`a ${kind} event arrived after the service stopped; it was not captured`);
      return null;
    }
    if (this.unavailable) {
      this.fail(`a ${kind} event was not captured: ${this.unavailable.message}`);
      return null;
    }
    try {
      const result =
        kind === "plugin" ? await this.selftune.onPluginSuccess(event as PluginEvent) : await this.selftune.onMcpSuccess(event as McpEvent);
      if (result.stored) this.counters.stored += 1;
      else if (result.reason === "duplicate") this.counters.duplicates += 1;
      else this.counters.skipped += 1;
      if (result.stored) this.log("info", `captured ${kind} example ${result.exampleId} (quality ${result.quality.score.toFixed(2)})`);
      return result;
    } catch (error) {
      this.fail(`could not capture a ${kind} event: ${(error as Error).message}`);
      return null;
    }
  }

  /** Counts and logs a failure that is not thrown. */
  fail(message: string): void {
    this.counters.failed += 1;
    this.counters.lastFailure = message;
    this.log("warn", message);
  }

  /** A Together key is configured, so pipelines can run. */
  get canTrain(): boolean {
    return this.settings.apiKey !== null && this.unavailable === null;
  }

  /** Stores a pipeline and starts driving it; resolves to its id. */
  async launchPipeline(config: PipelineConfigInput): Promise<string> {
    if (this.unavailable) throw this.unavailable;
    if (!this.canTrain) {
      throw Object.assign(new Error("no Together API key: set TOGETHER_API_KEY in the agent's secrets or the environment"), {
        code: "invalid_config",
      });
    }
    return this.runner.launch(config);
  }

  getPipelineStatus(id: string): Promise<PipelineStatus> {
    return this.selftune.getPipelineStatus(id);
  }

  listPipelines(): Promise<PipelineStatus[]> {
    return this.selftune.listPipelines();
  }

  cancelPipeline(id: string): Promise<PipelineStatus> {
    return this.runner.cancel(id);
  }

  /** Resolves when pipeline `id` ends (driving it if nobody is). */
  waitForPipeline(id: string): Promise<PipelineStatus> {
    return this.runner.wait(id);
  }

  stats(): Promise<LogStats> {
    return this.selftune.stats();
  }

  /** Copies the ended pipeline's report and Modelfiles to the models folder. */
  private async pipelineEnded(id: string): Promise<void> {
    try {
      const status = await this.selftune.getPipelineStatus(id);
      const { files } = await exportArtifacts(this.selftune, status, resolve(this.settings.modelsDir));
      this.log("info", `pipeline ${id} ${status.status}; ${files.length} file(s) in ${resolve(this.settings.modelsDir, id)}`);
    } catch (error) {
      this.log("warn", `pipeline ${id}: could not copy its report to ${this.settings.modelsDir}: ${(error as Error).message}`);
    }
  }
}

function togetherOptions(settings: SelftuneSettings) {
  const options: { apiKey?: string; baseUrl?: string } = {};
  if (settings.apiKey !== null) options.apiKey = settings.apiKey;
  if (settings.baseUrl !== null) options.baseUrl = settings.baseUrl;
  return options;
}

/** The running service of `runtime`, or null before it started (or when it failed to). */
export function selftuneService(runtime: Pick<IAgentRuntime, "getService">): SelftuneService | null {
  // The class does not extend @elizaos/core's Service (see plugin/index.ts), hence the cast.
  return runtime.getService(SelftuneService.serviceType) as unknown as SelftuneService | null;
}

/**
 * The service once it has started: waits up to `timeoutMs` for a runtime still starting it (services
 * start after `initialize()`).
 */
export async function awaitSelftuneService(runtime: IAgentRuntime, timeoutMs = 10_000): Promise<SelftuneService | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = selftuneService(runtime);
    if (running) return running;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
