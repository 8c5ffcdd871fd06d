// The plugin's settings: the agent's own (`runtime.getSetting`: character secrets and settings),
// then the process environment (a bare AgentRuntime does not read it), then the defaults.
import type { IAgentRuntime } from "@elizaos/core";

/** Every setting the plugin reads, with its default; `null` means unset. */
export const SETTING_DEFAULTS = {
  /** Together.ai key; without it nothing is sent and pipelines wait. */
  TOGETHER_API_KEY: null,
  /** The original design's name for the key, read when TOGETHER_API_KEY is unset. */
  TOGETHER_AI_API_KEY: null,
  /** Together's API base (an emulator's, in tests). */
  TOGETHER_BASE_URL: null,
  /** Where the example log and pipeline state live. */
  TRAINING_DATA_DIR: "./training-data",
  /** Where finished pipelines' reports and Modelfiles are copied. */
  MODELS_OUTPUT_DIR: "./models",
  /** Action names whose completed results are captured as plugin examples (comma-separated). */
  SELFTUNE_PLUGIN_ACTIONS: "CREATE_PLUGIN,GENERATE_PLUGIN",
  /** Action names whose completed results are captured as MCP server examples (comma-separated). */
  SELFTUNE_MCP_ACTIONS: "CREATE_MCP_SERVER,GENERATE_MCP_SERVER",
  /** USD a pipeline started from chat may spend, when the message names no budget. */
  SELFTUNE_BUDGET_USD: null,
  /** A pipeline configuration (JSON text, or the path of a JSON file) for pipelines started from chat. */
  SELFTUNE_PIPELINE_CONFIG: null,
  /** The longest wait between two pipeline steps, in ms (for an emulator on an accelerated clock). */
  SELFTUNE_MAX_DELAY_MS: null,
  /** Days of example log to keep (unset keeps everything). */
  SELFTUNE_RETENTION_DAYS: null,
} as const satisfies Record<string, string | null>;

export type SettingName = keyof typeof SETTING_DEFAULTS;

export interface SelftuneSettings {
  apiKey: string | null;
  baseUrl: string | null;
  dataDir: string;
  modelsDir: string;
  pluginActions: string[];
  mcpActions: string[];
  budgetUsd: number | null;
  pipelineConfig: string | null;
  maxDelayMs: number | undefined;
  retentionDays: number | null;
  /** Settings that were not usable, in words; each was replaced by its default. */
  problems: string[];
}

type SettingSource = Pick<IAgentRuntime, "getSetting">;

/** One setting as text: the agent's, else the environment's, else the default. */
export function readSetting(runtime: SettingSource, name: SettingName, env: NodeJS.ProcessEnv = process.env): string | null {
  const own = runtime.getSetting(name);
  if (own !== null && own !== undefined && String(own).trim() !== "") return String(own).trim();
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv.trim();
  return SETTING_DEFAULTS[name];
}

function list(text: string | null): string[] {
  return (text ?? "")
    .split(",")
    .map((name) => name.trim().toUpperCase())
    .filter((name) => name !== "");
}

/**
 * All settings, checked. A value that is not usable is reported in `problems` (naming the setting
 * and what is wrong) and replaced by its default: a typo in a setting must not stop the agent.
 */
export function readSettings(runtime: SettingSource, env: NodeJS.ProcessEnv = process.env): SelftuneSettings {
  const read = (name: SettingName) => readSetting(runtime, name, env);
  const problems: string[] = [];
  const positive = (name: SettingName, text: string | null, whole: boolean): number | null => {
    if (text === null) return null;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
      problems.push(`setting ${name} must be a positive ${whole ? "whole number" : "number"}, got '${text}'; it is ignored`);
      return null;
    }
    return value;
  };
  return {
    problems,
    apiKey: read("TOGETHER_API_KEY") ?? read("TOGETHER_AI_API_KEY"),
    baseUrl: read("TOGETHER_BASE_URL"),
    dataDir: read("TRAINING_DATA_DIR") ?? SETTING_DEFAULTS.TRAINING_DATA_DIR,
    modelsDir: read("MODELS_OUTPUT_DIR") ?? SETTING_DEFAULTS.MODELS_OUTPUT_DIR,
    pluginActions: list(read("SELFTUNE_PLUGIN_ACTIONS")),
    mcpActions: list(read("SELFTUNE_MCP_ACTIONS")),
    budgetUsd: positive("SELFTUNE_BUDGET_USD", read("SELFTUNE_BUDGET_USD"), false),
    pipelineConfig: read("SELFTUNE_PIPELINE_CONFIG"),
    maxDelayMs: positive("SELFTUNE_MAX_DELAY_MS", read("SELFTUNE_MAX_DELAY_MS"), true) ?? undefined,
    retentionDays: positive("SELFTUNE_RETENTION_DAYS", read("SELFTUNE_RETENTION_DAYS"), true),
  };
}
