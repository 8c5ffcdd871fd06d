// Drives training pipelines: calls the core's `advancePipeline` and schedules each wake-up with a
// timer. The state lives in storage, so a runner that stops (or a process that dies) leaves every
// pipeline resumable: `resumeAll()` picks them up again.
import type { AdvanceResult, PipelineConfigInput, PipelineStatus, SelftuneHost, SelftuneConfig, TogetherOptions } from "./core.js";
import { Selftune } from "./selftune.js";
import { togetherEnv } from "./together.js";

export type { AdvanceResult, PipelineConfigInput, PipelineStatus } from "./core.js";

export interface PipelineRunnerOptions {
  /** Together client options (API key, base URL, retries); default: the TOGETHER_* environment. */
  together?: TogetherOptions;
  /** Where TOGETHER_* settings are read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The longest wait between two steps, in ms (default: none; the pipeline's own delay). */
  maxDelayMs?: number;
  /** Called after every step. */
  onStep?: (result: AdvanceResult) => void;
  /** Called when a step throws (storage failures); the runner tries again after `retryDelayMs`. */
  onError?: (id: string, error: unknown) => void;
  /** Default 5000. */
  retryDelayMs?: number;
}

interface Drive {
  timer?: ReturnType<typeof setTimeout>;
  done: Promise<PipelineStatus>;
  resolve: (status: PipelineStatus) => void;
  reject: (error: unknown) => void;
  stopped: boolean;
}

/**
 * Runs pipelines of one handle in this process.
 *
 * ```js
 * const runner = new PipelineRunner(selftune, { together: { baseUrl, apiKey } });
 * const id = await runner.launch(config);
 * const status = await runner.wait(id); // resolves when the pipeline ends
 * ```
 */
export class PipelineRunner {
  private readonly drives = new Map<string, Drive>();
  private readonly env: Record<string, string>;

  constructor(
    readonly selftune: Selftune,
    private readonly options: PipelineRunnerOptions = {},
  ) {
    this.env = togetherEnv(options.env ?? process.env);
  }

  /** Stores a new pipeline and starts driving it; resolves to its id. */
  async launch(config: PipelineConfigInput): Promise<string> {
    const id = await this.selftune.launchPipeline(config);
    this.drive(id);
    return id;
  }

  /** Drives pipeline `id` until it ends (again, if it was stopped); resolves to its final status. */
  drive(id: string): Promise<PipelineStatus> {
    const running = this.drives.get(id);
    if (running && !running.stopped) return running.done;
    let resolve!: (status: PipelineStatus) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<PipelineStatus>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {});
    const drive: Drive = { done, resolve, reject, stopped: false };
    this.drives.set(id, drive);
    this.schedule(id, drive, 0);
    return done;
  }

  /** Resolves when pipeline `id` ends (driving it if nobody is). */
  wait(id: string): Promise<PipelineStatus> {
    return this.drive(id);
  }

  /** Drives every pipeline that has not ended; resolves to their ids. */
  async resumeAll(): Promise<string[]> {
    const ids = await this.selftune.unfinishedPipelines();
    for (const id of ids) this.drive(id);
    return ids;
  }

  /** Cancels pipeline `id` and its running jobs. */
  async cancel(id: string): Promise<PipelineStatus> {
    this.stop(id);
    const status = await this.selftune.cancelPipeline(id, this.options.together, this.env);
    return status;
  }

  /** Stops driving (one pipeline, or all): they stay as stored, resumable later. */
  stop(id?: string): void {
    const ids = id === undefined ? [...this.drives.keys()] : [id];
    for (const key of ids) {
      const drive = this.drives.get(key);
      if (!drive) continue;
      drive.stopped = true;
      if (drive.timer) clearTimeout(drive.timer);
      this.drives.delete(key);
      void this.selftune.getPipelineStatus(key).then(drive.resolve, drive.reject);
    }
  }

  /** Ids being driven now. */
  running(): string[] {
    return [...this.drives.keys()];
  }

  private schedule(id: string, drive: Drive, delayMs: number): void {
    const max = this.options.maxDelayMs;
    const delay = Math.max(0, max === undefined ? delayMs : Math.min(delayMs, max));
    drive.timer = setTimeout(() => void this.step(id, drive), delay);
  }

  private async step(id: string, drive: Drive): Promise<void> {
    if (drive.stopped) return;
    let result: AdvanceResult;
    try {
      result = await this.selftune.advancePipeline(id, this.options.together, this.env);
    } catch (error) {
      if (drive.stopped) return;
      const code = (error as { code?: string }).code;
      if (code === "pipeline_not_found" || code === "invalid_argument" || code === "invalid_config") {
        this.drives.delete(id);
        drive.reject(error);
        return;
      }
      this.options.onError?.(id, error);
      this.schedule(id, drive, this.options.retryDelayMs ?? 5_000);
      return;
    }
    if (drive.stopped) return;
    this.options.onStep?.(result);
    if (result.done) {
      this.drives.delete(id);
      try {
        drive.resolve(await this.selftune.getPipelineStatus(id));
      } catch (error) {
        drive.reject(error);
      }
      return;
    }
    this.schedule(id, drive, result.wakeAfterMs ?? 0);
  }
}

export interface AutomationServiceOptions extends PipelineRunnerOptions {
  /** An open handle; default: one over `host` (or the Node host) with `config`. */
  selftune?: Selftune;
  host?: SelftuneHost;
  config?: SelftuneConfig;
}

/**
 * The original design's `TogetherAIAutomationService`, over the persisted pipeline: `start()`
 * resumes every unfinished pipeline, `startAutomationPipeline(config)` launches one and resolves
 * to its id, `getPipelineStatus(id)` reads its status.
 */
export class TogetherAIAutomationService {
  static readonly serviceType = "together-ai-automation";
  private runner?: PipelineRunner;

  constructor(private readonly options: AutomationServiceOptions = {}) {}

  /** Opens the handle (when none was given) and resumes unfinished pipelines. */
  async start(): Promise<string[]> {
    const runner = await this.ensureRunner();
    return runner.resumeAll();
  }

  async startAutomationPipeline(config: PipelineConfigInput): Promise<string> {
    return (await this.ensureRunner()).launch(config);
  }

  async getPipelineStatus(id: string): Promise<PipelineStatus> {
    return (await this.ensureRunner()).selftune.getPipelineStatus(id);
  }

  async listPipelines(): Promise<PipelineStatus[]> {
    return (await this.ensureRunner()).selftune.listPipelines();
  }

  async cancelPipeline(id: string): Promise<PipelineStatus> {
    return (await this.ensureRunner()).cancel(id);
  }

  /** Resolves when pipeline `id` ends. */
  async waitForPipeline(id: string): Promise<PipelineStatus> {
    return (await this.ensureRunner()).wait(id);
  }

  /** Stops the timers; pipelines stay resumable. */
  stop(): void {
    this.runner?.stop();
  }

  private async ensureRunner(): Promise<PipelineRunner> {
    if (!this.runner) {
      const selftune = this.options.selftune ?? (await Selftune.create(this.options.host, this.options.config));
      this.runner = new PipelineRunner(selftune, this.options);
    }
    return this.runner;
  }
}
