// Compiled with `tsc --noEmit` against the built package: the public types must accept what the
// README shows and refuse what the core would reject by shape.
import {
  Selftune,
  createMemoryHost,
  createNodeHost,
  isSelftuneError,
  type CaptureResult,
  type LogStats,
  type McpEvent,
  type PluginEvent,
  type SelftuneHost,
  PipelineRunner,
  TogetherAIAutomationService,
  type AdvanceResult,
  type Phase,
  type PipelineConfigInput,
  type PipelineStatus,
} from "selftune";

const plugin: PluginEvent = {
  originalRequest: "Build a weather plugin",
  executionTime: 12_000,
  tokensUsed: 3_000,
  outcome: {
    success: true,
    pluginName: "plugin-weather",
    files: [{ path: "src/index.ts", content: "export {};" }],
    dependencies: { "@elizaos/core": "^1.7.0" },
  },
};

const mcp: McpEvent = {
  originalRequest: "An MCP server for dice",
  outcome: {
    success: true,
    mcpName: "dice",
    tools: ["roll", { name: "flip", inputSchema: { type: "object" } }],
    files: [{ path: "server.py", content: "print('hi')" }],
  },
};

// @ts-expect-error: files are required
const noFiles: PluginEvent = { originalRequest: "x", outcome: { success: true } };
// @ts-expect-error: a file needs content
const noContent: PluginEvent = { originalRequest: "x", outcome: { success: true, files: [{ path: "a" }] } };
void noFiles;
void noContent;

async function main(): Promise<void> {
  const selftune = await Selftune.create(createMemoryHost(), { maxFileBytes: 1024 });
  const result: CaptureResult = await selftune.onPluginSuccess(plugin);
  if (result.stored) {
    const id: string = result.exampleId;
    const score: number = result.quality.score;
    void id, score;
  } else if (result.reason === "duplicate") {
    const original: string = result.exampleId;
    void original;
  } else {
    // @ts-expect-error: a not_successful result has no example id
    void result.exampleId;
  }
  await selftune.onMcpSuccess(mcp);
  const stats: LogStats = await selftune.stats();
  const mean: number | null = stats.meanQuality;
  void mean;

  // @ts-expect-error: unknown config keys are refused
  await Selftune.create(createMemoryHost(), { maxFileByts: 1 });

  const host: SelftuneHost = createNodeHost({ dataDir: "./training-data", sync: true });
  void host;

  try {
    await selftune.onPluginSuccess({ ...plugin, originalRequest: "" });
  } catch (error) {
    if (isSelftuneError(error)) {
      const code: string = error.code;
      const field: string | undefined = error.field;
      void code, field;
    }
  }
}
void main;

async function pipelines(): Promise<void> {
  const selftune = await Selftune.create(createMemoryHost());
  const config: PipelineConfigInput = { smallModel: { epochs: 2 }, deployment: { budget: 25 } };
  // @ts-expect-error: the budget is required
  const noBudget: PipelineConfigInput = { deployment: {} };
  void noBudget;
  const runner = new PipelineRunner(selftune, { together: { apiKey: "test-key-not-real" }, maxDelayMs: 1_000 });
  const id: string = await runner.launch(config);
  const status: PipelineStatus = await selftune.getPipelineStatus(id);
  const phase: Phase = status.currentPhase;
  const loss: number | undefined = status.trainingLoss.small;
  const jobId: string | null = status.jobs[0].jobId;
  const step: AdvanceResult = await selftune.advancePipeline(id, { apiKey: "test-key-not-real" });
  const wake: number | null = step.wakeAfterMs;
  void phase, loss, jobId, wake;
  const service = new TogetherAIAutomationService({ selftune });
  const other: string = await service.startAutomationPipeline(config);
  await service.cancelPipeline(other);
  await service.stop();
  await runner.stop();
}
void pipelines;
