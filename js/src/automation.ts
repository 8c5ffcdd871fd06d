// The original design's `TogetherAIAutomationService`, over the persisted pipeline. Inside an
// agent, `TogetherAIAutomationService.start(runtime)` (the runtime calls it: the plugin registers
// it) is backed by the running SelftuneService; outside one, `new TogetherAIAutomationService()`
// opens its own handle.
import type { IAgentRuntime } from "@elizaos/core";

import type { PipelineConfigInput, PipelineStatus, SelftuneConfig, SelftuneHost } from "./core.js";
import { PipelineRunner, type PipelineRunnerOptions } from "./pipeline.js";
import { awaitSelftuneService } from "./plugin/service.js";
import { Selftune } from "./selftune.js";

export interface AutomationServiceOptions extends PipelineRunnerOptions {
  /** An open handle; default: one over `host` (or the Node host) with `config`. */
  selftune?: Selftune;
  host?: SelftuneHost;
  config?: SelftuneConfig;
  /** A runner someone else owns (the SelftuneService's): `stop()` leaves it running. */
  runner?: PipelineRunner;
  /** Why the facade cannot work (the SelftuneService is not available): every call throws it. */
  unavailable?: Error;
}

/**
 * `start()` resumes every unfinished pipeline, `startAutomationPipeline(config)` launches one and
 * resolves to its id, `getPipelineStatus(id)` reads its status.
 */
export class TogetherAIAutomationService {
  static readonly serviceType = "together-ai-automation";
  readonly capabilityDescription = "Together.ai fine-tuning pipelines (the original design's facade over selftune)";
  private runner?: PipelineRunner;

  constructor(private readonly options: AutomationServiceOptions = {}) {
    this.runner = options.runner;
  }

  /**
   * The facade of `runtime`'s SelftuneService (what the runtime calls when the plugin loads). Never
   * rejects (ElizaOS would end the agent's process): without a working SelftuneService, every call
   * of the facade throws the reason.
   */
  static async start(runtime: IAgentRuntime): Promise<TogetherAIAutomationService> {
    const service = await awaitSelftuneService(runtime, 30_000);
    if (!service) return new TogetherAIAutomationService({ unavailable: new Error("the selftune service did not start") });
    if (service.unavailable) return new TogetherAIAutomationService({ unavailable: service.unavailable });
    return new TogetherAIAutomationService({ runner: service.runner });
  }

  /** Stops the runtime's instance (the shared runner is the SelftuneService's to stop). */
  static async stop(runtime: IAgentRuntime): Promise<void> {
    const facade = runtime.getService(TogetherAIAutomationService.serviceType) as unknown as TogetherAIAutomationService | null;
    await facade?.stop();
  }

  /** Opens the handle (when none was given) and resumes unfinished pipelines; resolves to their ids. */
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

  /** Stops the timers of a runner this facade owns; pipelines stay resumable. */
  async stop(): Promise<void> {
    if (this.runner !== this.options.runner) await this.runner?.stop();
  }

  private async ensureRunner(): Promise<PipelineRunner> {
    if (this.options.unavailable) throw this.options.unavailable;
    if (!this.runner) {
      const selftune = this.options.selftune ?? (await Selftune.create(this.options.host, this.options.config));
      this.runner = new PipelineRunner(selftune, this.options);
    }
    return this.runner;
  }
}
