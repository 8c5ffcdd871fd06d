// Drives training pipelines: calls the core's `advancePipeline` and schedules each wake-up with a
// timer. The state lives in storage, so a runner that stops (or a process that dies) leaves every
// pipeline resumable: `resumeAll()` picks them up again.
import type { AdvanceResult, PipelineConfigInput, PipelineStatus, TogetherOptions } from "./core.js";
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
  /** The step being performed, if any. */
  inFlight?: Promise<void>;
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
    await this.stop(id);
    const status = await this.selftune.cancelPipeline(id, this.options.together, this.env);
    return status;
  }

  /**
   * Stops driving (one pipeline, or all): they stay as stored, resumable later. Resolves once a
   * step that was under way has finished, so nothing changes the stored state afterwards.
   */
  async stop(id?: string): Promise<void> {
    const ids = id === undefined ? [...this.drives.keys()] : [id];
    const settling: Promise<void>[] = [];
    for (const key of ids) {
      const drive = this.drives.get(key);
      if (!drive) continue;
      drive.stopped = true;
      if (drive.timer) clearTimeout(drive.timer);
      this.drives.delete(key);
      const settled = drive.inFlight ?? Promise.resolve();
      settling.push(settled.then(() => this.selftune.getPipelineStatus(key).then(drive.resolve, drive.reject)));
    }
    await Promise.all(settling);
  }

  /** Ids being driven now. */
  running(): string[] {
    return [...this.drives.keys()];
  }

  private schedule(id: string, drive: Drive, delayMs: number): void {
    const max = this.options.maxDelayMs;
    const delay = Math.max(0, max === undefined ? delayMs : Math.min(delayMs, max));
    drive.timer = setTimeout(() => {
      drive.timer = undefined;
      drive.inFlight = this.step(id, drive).finally(() => {
        drive.inFlight = undefined;
      });
    }, delay);
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
