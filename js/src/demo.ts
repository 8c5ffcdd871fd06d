// `selftune demo`: the whole journey on the bundled sample events, with no API key. It starts the
// Together emulator in this process (loopback only, on an accelerated clock), ingests the samples
// into a fresh folder, builds the datasets, then launches a pipeline and drives it to the end:
// upload, both fine-tunes in parallel, monitoring, evaluation, the deployment decision and the
// deployment. It copies the report and Modelfiles into the models folder and prints the report.
// With `--real` the same flow runs against Together itself, with the key from the environment.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { exportArtifacts, type ExportedArtifacts } from "./artifacts.js";
import { formatIngest, formatManifest, formatStats } from "./cli-format.js";
import { formatStatus, formatStatusLine } from "./cli-pipeline.js";
import type { DatasetManifest, LogStats, PipelineConfigInput, PipelineStatus, TogetherOptions } from "./core.js";
import { startEmulator, type Emulator } from "./emulator/index.js";
import { FileStorage } from "./hosts/fs-storage.js";
import { createNodeHost } from "./hosts/node.js";
import { ingestFile, type IngestReport } from "./ingest.js";
import { PipelineRunner } from "./pipeline.js";
import { Selftune } from "./selftune.js";

export const SAMPLE_EVENTS = fileURLToPath(new URL("../samples/events.jsonl", import.meta.url));

/** Together's public API, where `--real` goes unless TOGETHER_BASE_URL says otherwise. */
const TOGETHER_PUBLIC_URL = "https://api.together.xyz/v1";

/** Emulated seconds per real second: a fine-tune of a few minutes of Together's time takes about a second. */
export const DEMO_SPEED = 300;

/** The longest real wait between two pipeline steps against the emulator (its clock is fast). */
const EMULATED_MAX_DELAY_MS = 100;

/** The demo's budget, in USD: the most the pipeline may spend at Together (only real with `--real`). */
export const DEMO_BUDGET_USD = 25;

/** A key the emulator accepts and Together never would: it is not anybody's key. */
const FAKE_KEY = "emulated-demo-key-not-real";

const KEY_VARIABLES = ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"] as const;

export interface DemoOptions {
  json: boolean;
  /** Where the example log and pipeline go; default: a new temporary folder. */
  dataDir?: string;
  /** Run against Together for real (spends money) instead of the in-process emulator. */
  real: boolean;
  /**
   * The longest wait between two pipeline steps, in ms. Default: 100 against the emulator (its
   * clock is fast), none with `real` (the pipeline's own waits).
   */
  maxDelayMs?: number;
  /** Where TOGETHER_* and MODELS_OUTPUT_DIR are read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where text goes; default stdout and stderr. */
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/** The JSON `selftune demo --json` prints. */
export interface DemoResult {
  emulated: boolean;
  baseUrl: string;
  dataDir: string;
  ingest: IngestReport;
  stats: LogStats;
  datasets: { outDir: string } & DatasetManifest;
  pipeline: PipelineStatus;
  report: { path: string; markdown: string | null };
  artifacts: { modelsDir: string } & ExportedArtifacts;
}

/** The demo's pipeline: the original design's shape, within the samples and the emulator's limits. */
export function demoPipelineConfig(storedExamples: number): PipelineConfigInput {
  return {
    name: "selftune demo",
    // Both models' minimum batch size at Together (and in the emulator) is 8.
    smallModel: { baseModel: "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", suffix: "demo-small", batchSize: 8 },
    largeModel: { baseModel: "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", suffix: "demo-large", batchSize: 8 },
    // Train as soon as the samples are in: no waiting for more examples.
    dataCollection: { minDataPoints: Math.max(1, Math.min(10, storedExamples)), minQuality: 0.7, collectFor: 0 },
    deployment: { budget: DEMO_BUDGET_USD, autoDecision: true, evaluationSamples: 3 },
  };
}

/** The API key variables set (non-empty) in `env`. */
export function keysInEnvironment(env: Record<string, string | undefined>): string[] {
  return KEY_VARIABLES.filter((name) => (env[name] ?? "").trim() !== "");
}

/** Runs the demo; resolves to the exit code (0 completed, 1 the pipeline did not complete, 2 refused). */
export async function runDemo(options: DemoOptions): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((text: string) => void process.stdout.write(text));
  const err = options.err ?? ((text: string) => void process.stderr.write(text));
  const say = (text: string) => {
    if (!options.json) out(text);
  };

  // Refuse before anything is created: a key in the environment means money can be spent.
  const keys = keysInEnvironment(env);
  if (!options.real && keys.length > 0) {
    const names = keys.join(" and ");
    err(
      `selftune: demo refused: ${names} ${keys.length > 1 ? "are" : "is"} set, and with a real key in the environment ` +
        "the demo could otherwise spend real money.\n" +
        `  Pass --real to run it against Together for real (it spends up to its $${DEMO_BUDGET_USD} budget),\n` +
        `  or unset ${names} to run it against the local emulator, for free.\n`,
    );
    return 2;
  }
  if (options.real && keys.length === 0) {
    err("selftune: demo --real needs TOGETHER_API_KEY (or TOGETHER_AI_API_KEY) set to your Together API key.\n");
    return 2;
  }

  const realBaseUrl = (env.TOGETHER_BASE_URL ?? "").trim() || TOGETHER_PUBLIC_URL;
  if (options.real) {
    say(
      `REAL RUN: this demo talks to Together at ${realBaseUrl} with your API key and SPENDS REAL MONEY,\n` +
        `up to its budget of $${DEMO_BUDGET_USD.toFixed(2)} (fine-tuning, evaluation endpoints and the deployment). The decision is\n` +
        "carried out: a dedicated endpoint is created only when its idle minutes fit in what is left of the\n" +
        "budget, and it keeps running (and billing) until it is idle for its inactive timeout or you stop it.\n\n",
    );
  } else {
    say(
      "EMULATED RUN: Together is emulated on this machine (an in-process server on loopback). No request\n" +
        "leaves this machine, no API key is used and nothing is spent.\n\n",
    );
  }

  const dataDir = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), "selftune-demo-"))));
  let emulator: Emulator | undefined;
  let runner: PipelineRunner | undefined;
  let pipelineId: string | undefined;
  const interrupt = () => {
    runner?.stop();
    const close = emulator ? emulator.close() : Promise.resolve();
    void close.finally(() => {
      err(
        options.real && pipelineId !== undefined
          ? `selftune: interrupted; pipeline ${pipelineId} is saved: \`selftune resume ${pipelineId} --data-dir ${dataDir}\` ` +
              `drives it again, \`selftune cancel ${pipelineId} --data-dir ${dataDir}\` stops its jobs at Together\n`
          : options.real
          ? "selftune: interrupted before the pipeline was launched; nothing was sent to Together\n"
          : "selftune: interrupted; the emulated demo stopped (nothing was spent)\n",
      );
      process.exit(130);
    });
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    let together: TogetherOptions | undefined;
    let runnerEnv: Record<string, string | undefined>;
    let baseUrl: string;
    if (options.real) {
      // The client reads the key and TOGETHER_BASE_URL from the environment, with its defaults.
      together = undefined;
      runnerEnv = env;
      baseUrl = realBaseUrl;
    } else {
      emulator = await startEmulator({ port: 0, speed: DEMO_SPEED });
      baseUrl = emulator.baseUrl;
      // No TOGETHER_* variable of this environment reaches the client: only the emulator's URL and a fake key.
      runnerEnv = {};
      together = {
        baseUrl,
        apiKey: FAKE_KEY,
        retryBaseDelayMs: 10,
        retryMaxDelayMs: 100,
        filePollIntervalMs: 20,
        requestsPerMinute: 0,
      };
      say(`Together emulator listening on ${baseUrl} (speed ${DEMO_SPEED}x: ${DEMO_SPEED / 60} emulated minutes per second)\n\n`);
    }

    const selftune = await Selftune.create(createNodeHost({ dataDir }));
    const ingest = await ingestFile(selftune, SAMPLE_EVENTS);
    const stats = await selftune.stats();
    const outDir = join(dataDir, "datasets");
    const manifest = await selftune.buildDataset({}, new FileStorage(outDir));
    say(formatIngest("the bundled sample events", dataDir, ingest));
    say("\n");
    say(formatStats(dataDir, stats));
    say("\n");
    say(formatManifest(outDir, manifest));
    say("\n");

    let printing = Promise.resolve();
    let last = "";
    runner = new PipelineRunner(selftune, {
      together,
      env: runnerEnv,
      maxDelayMs: options.maxDelayMs ?? (options.real ? undefined : EMULATED_MAX_DELAY_MS),
      onStep: (result) => {
        if (options.json) return;
        // In order, and finished before the final status is printed.
        printing = printing.then(async () => {
          const line = formatStatusLine(await selftune.getPipelineStatus(result.id));
          if (line !== last) out(`  ${line}\n`);
          last = line;
        });
      },
      onError: (id, error) => err(`selftune: ${id}: ${(error as Error).message}; retrying\n`),
    });
    const config = demoPipelineConfig(ingest.stored);
    const id = await selftune.launchPipeline(config);
    pipelineId = id;
    say(
      `Launched pipeline ${id} against ${options.real ? "Together" : "the emulator"} (budget $${DEMO_BUDGET_USD.toFixed(2)}): ` +
        "upload, both fine-tunes in parallel, evaluation, decision, deployment\n",
    );
    const status = await runner.drive(id);
    await printing;
    say("\n");
    say(formatStatus(status));

    const reportPath = join(dataDir, "pipelines", id, "report.md");
    const markdown = await selftune.host.storage.read(`pipelines/${id}/report.md`);
    const modelsDir = resolve((env.MODELS_OUTPUT_DIR ?? "").trim() || join(dataDir, "models"));
    const artifacts = await exportArtifacts(selftune, status, modelsDir);

    if (options.json) {
      const result: DemoResult = {
        emulated: !options.real,
        baseUrl,
        dataDir,
        ingest,
        stats,
        datasets: { outDir, ...manifest },
        pipeline: status,
        report: { path: reportPath, markdown },
        artifacts: { modelsDir, ...artifacts },
      };
      out(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      if (markdown !== null) {
        out(`\n----- ${reportPath} -----\n${markdown.endsWith("\n") ? markdown : `${markdown}\n`}----- end of the report -----\n`);
      } else {
        out(`\nThe pipeline wrote no report (${reportPath} does not exist).\n`);
      }
      out(`\nCopied to ${modelsDir}:\n`);
      for (const file of artifacts.files) out(`  ${file}\n`);
      if (artifacts.files.length === 0) out("  nothing: the pipeline left no report or Modelfile\n");
      out(`\nEverything else is in ${dataDir}.\n`);
      out(
        options.real
          ? `\nThis was a REAL run against Together at ${baseUrl}: it spent $${status.costs.spentUsd.toFixed(2)} on fine-tuning ` +
              "(see the report for the evaluation endpoints), and any endpoint it deployed is still running there.\n"
          : `\nReminder: Together was EMULATED on this machine. No request left it, no API key was used and nothing was\n` +
              `spent; the costs above are what Together would charge, as the emulator prices them.\n`,
      );
    }
    if (status.status !== "completed") {
      err(`selftune: the demo pipeline ended ${status.status}${status.lastError ? `: ${status.lastError.code}: ${status.lastError.message}` : ""}\n`);
      return 1;
    }
    return 0;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    runner?.stop();
    await emulator?.close();
  }
}
