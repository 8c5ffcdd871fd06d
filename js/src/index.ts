export { Selftune } from "./selftune.js";
export { isSelftuneError } from "./errors.js";
export { redactText } from "./redact.js";
export type { SelftuneError } from "./errors.js";
export { createNodeHost, defaultDataDir, stderrLogger, DEFAULT_DATA_DIR } from "./hosts/node.js";
export type { NodeHostOptions, Logger, LogLevel } from "./hosts/node.js";
export { createMemoryHost, MemoryStorage } from "./hosts/memory.js";
export type { MemoryHost, MemoryHostOptions } from "./hosts/memory.js";
export { FileStorage } from "./hosts/fs-storage.js";
export { parseCheck } from "./hosts/parse-check.js";
export type { FileStorageOptions } from "./hosts/fs-storage.js";
export { ingestFile, ingestLines } from "./ingest.js";
export type { IngestReport, IngestProblem, RecordedEvent } from "./ingest.js";
export { validateFile, formatValidation, type ValidateFileOptions, type ValidationReport, type ValidationError, type ValidationRule, type ValidationTokens, type DatasetFormat, type TokenCounterLike } from "./validate.js";
export type {
  AuditEntry,
  BuildOptions,
  DatasetManifest,
  ModelProfile,
  NearDuplicateConfig,
  OverLength,
  ProfileManifest,
  WireFormat,
  AuditEvent,
  CaptureResult,
  ForgetResult,
  RedactedText,
  RedactionOptions,
  RetentionReport,
  Dependencies,
  ExampleKind,
  ExampleRecord,
  GeneratedFile,
  LogStats,
  McpEvent,
  McpOutcome,
  McpTool,
  PluginEvent,
  PluginOutcome,
  QualityComponents,
  QualityScore,
  SelftuneConfig,
  SelftuneErrorCode,
  SelftuneHost,
  SelftuneStorage,
  SkipReason,
  ModelTokenizerInfo,
  TokenCount,
  TokenizerInfo,
  VocabularyFamily,
} from "./core.js";
export { canonicalModelId, tokenizerModels, tokenizerSource } from "./tokenizers.js";
export type { TokenizerSource } from "./tokenizers.js";
export { createTogetherClient, togetherEnv, TOGETHER_ENV } from "./together.js";
export type * from "./together.js";
export { startEmulator } from "./emulator/index.js";
export { PipelineRunner } from "./pipeline.js";
export type { PipelineRunnerOptions } from "./pipeline.js";
export { TogetherAIAutomationService } from "./automation.js";
export type { AutomationServiceOptions } from "./automation.js";
export { selftunePlugin } from "./plugin/index.js";
export { SelftuneService, selftuneService } from "./plugin/service.js";
export type { CaptureCounters } from "./plugin/service.js";
export type { PluginSuccessPayload, McpSuccessPayload } from "./plugin/events.js";
export type { StatusResponse } from "./plugin/routes.js";
export { SETTING_DEFAULTS, readSettings } from "./plugin/settings.js";
export type { SelftuneSettings, SettingName } from "./plugin/settings.js";
export { exportArtifacts } from "./artifacts.js";
export type { ExportedArtifacts } from "./artifacts.js";
export { renderDashboard } from "./dashboard.js";
export type { DashboardData } from "./dashboard.js";
import { selftunePlugin as plugin } from "./plugin/index.js";
export default plugin;
export type {
  AdvanceResult,
  AnswerScore,
  CostAnalysis,
  CostBasis,
  DataCollection,
  Decision,
  DeploymentRecord,
  DeploymentStage,
  EndpointRecord,
  EvaluationRecord,
  EvaluationStage,
  EvaluationSummary,
  LocalDeployment,
  LossPoint,
  MeanScores,
  Precision,
  SamplePair,
  Target,
  DataStats,
  Deployment,
  JobStatusView,
  LoraParameters,
  LoraSetting,
  ModelTraining,
  Phase,
  PipelineConfig,
  PipelineConfigInput,
  PipelineCosts,
  PipelineError,
  PipelineStatus,
  ProfileData,
} from "./core.js";
export type { Emulator, EmulatorOptions, FaultRule, RecordedRequest } from "./emulator/index.js";
