// Helpers for the pipeline tests: distinct examples, a configuration the emulator accepts, and
// Together client settings with short waits.

/** A plugin event whose code shares nothing with another index's (no near-duplicates). */
export function distinctPlugin(i) {
  const lines = Array.from({ length: 16 }, (_, k) => `export const value${i}x${k} = ${i * 31 + k} + ${k * 7 + i};`);
  return {
    originalRequest: `Build plugin number ${i} that computes table ${i}`,
    executionTime: 2_000,
    outcome: {
      success: true,
      pluginName: `plugin-${i}`,
      files: [
        { path: "src/index.ts", content: `${lines.join("\n")}\n` },
        { path: "src/extra.ts", content: `export const extra${i} = ${i};\n` },
      ],
    },
  };
}

export async function fillLog(selftune, count) {
  for (let i = 0; i < count; i += 1) {
    const result = await selftune.onPluginSuccess(distinctPlugin(i));
    if (!result.stored) throw new Error(`example ${i} was not stored`);
  }
}

/** The seed's shape; batch sizes within the emulator's limits (its minimum is 8). */
export function pipelineConfig(extra = {}) {
  return {
    name: "emulator run",
    smallModel: { baseModel: "deepseek-r1-distill-qwen-1.5b", suffix: "small", batchSize: 8 },
    largeModel: { baseModel: "Deepseek-R1-distill-llama-70b", suffix: "large", batchSize: 8 },
    dataCollection: { minDataPoints: 10, minQuality: 0.7, collectFor: 0 },
    deployment: { budget: 50 },
    ...extra,
  };
}

export const FAKE_KEY = "test-key-not-real-0000";

export function fastTogether(baseUrl) {
  return {
    baseUrl,
    apiKey: FAKE_KEY,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    filePollIntervalMs: 10,
    requestsPerMinute: 0,
    maxAttempts: 6,
  };
}

/**
 * Jobs the emulator created (`POST /fine-tunes` it answered with 2xx, or that it was still
 * handling), by job suffix. A request refused by an injected fault created nothing.
 */
export function creationsBySuffix(requests) {
  const counts = {};
  for (const request of requests) {
    if (request.method !== "POST" || request.path !== "/v1/fine-tunes") continue;
    if (request.fault === "drop" || request.fault === "status") continue;
    if (request.status !== undefined && (request.status < 200 || request.status >= 300)) continue;
    const suffix = request.json?.suffix ?? "?";
    counts[suffix] = (counts[suffix] ?? 0) + 1;
  }
  return counts;
}
