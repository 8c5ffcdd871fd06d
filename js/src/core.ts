// Loads the wasm core built by wasm-pack (CommonJS glue in ../wasm) from this ES module.
import { createRequire } from "node:module";
import type * as WasmCore from "../wasm/selftune.js";

const require = createRequire(import.meta.url);

export const core: typeof WasmCore = require("../wasm/selftune.js");

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
  SelftuneCore,
  SelftuneErrorCode,
  SelftuneHost,
  SelftuneStorage,
  SkipReason,
  ModelTokenizerInfo,
  TokenCount,
  TokenizerInfo,
  VocabularyFamily,
} from "../wasm/selftune.js";
