import { core } from "./core.js";
import type {
  AuditEntry,
  CaptureResult,
  ForgetResult,
  RetentionReport,
  LogStats,
  McpEvent,
  PluginEvent,
  SelftuneConfig,
  SelftuneCore,
  SelftuneHost,
} from "./core.js";
import { createNodeHost } from "./hosts/node.js";

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

  /** The configuration in force, defaults filled in. */
  config(): Required<SelftuneConfig> {
    return this.inner.config() as Required<SelftuneConfig>;
  }
}
