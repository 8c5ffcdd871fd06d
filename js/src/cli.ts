#!/usr/bin/env node
// The `selftune` command: one job per run, plain words on stdout, `--json` for machines.
// Exit codes: 0 success, 1 a failed job, 2 bad usage.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

import { isSelftuneError, selftuneError } from "./errors.js";
import { createNodeHost, defaultDataDir } from "./hosts/node.js";
import { ingestFile } from "./ingest.js";
import { Selftune } from "./selftune.js";
import { readFile } from "node:fs/promises";
import { createMemoryHost } from "./hosts/memory.js";
import { canonicalModelId, tokenizerModels, tokenizerSource } from "./tokenizers.js";
import type { BuildOptions } from "./core.js";
import { FileStorage } from "./hosts/fs-storage.js";
import { formatValidation, validateFile, type ValidateFileOptions } from "./validate.js";
import { startEmulator, type FaultRule } from "./emulator/index.js";
import * as pipelineCli from "./cli-pipeline.js";
import { formatIngest, formatManifest, formatStats } from "./cli-format.js";
import { runDemo } from "./demo.js";

const USAGE = `Usage: selftune <command> [options]

Commands:
  ingest FILE     feed recorded events (JSONL: {"event": "plugin-success" | "mcp-success", "payload": {...}})
                  through the live capture path and report what was stored
  stats           summarize the example log
  audit           print the audit log (one line per operation, no content)
  forget ID       remove one example (and sightings of duplicates of it) for good
  tokens --model ID [FILE]
                  count the tokens of FILE (stdin when none) with the model's own tokenizer
  validate FILE   check a JSONL dataset against Together's rules: PASS or FAIL, the format, the
                  sample count and the errors with line numbers (exit 1 on FAIL)
  build-dataset   build the Together-format datasets of both model profiles from the log:
                  OUT/<profile>/{train,validation,test}.jsonl and OUT/manifest.json
  emulator        run a local Together.ai emulator on loopback and print its base URL; it runs
                  until interrupted (point TOGETHER_BASE_URL at it, with any TOGETHER_API_KEY)
  launch --config FILE
                  start a training pipeline and drive it in the foreground until it ends,
                  with progress (exit 1 if it fails); an interrupt leaves it resumable
  resume [ID]     drive unfinished pipelines again (all of them when no ID)
  status [ID]     a pipeline's status (all pipelines when no ID); --watch follows it until it ends
  cancel ID       cancel a pipeline and its running fine-tuning jobs
  demo            the whole pipeline on the bundled sample events, in a fresh folder, against a
                  Together emulator started in this process (no API key, nothing leaves this
                  machine, nothing is spent): ingest, datasets, upload, both fine-tunes,
                  evaluation, decision, deployment, the report and the exported Modelfiles.
                  Refuses (exit 2) when TOGETHER_API_KEY or TOGETHER_AI_API_KEY is set, unless
                  --real is given
  help            show this text

Options:
  --data-dir DIR  where the example log lives (default: $TRAINING_DATA_DIR, else ./training-data;
                  demo: a new temporary folder)
  --limit N       audit: only the newest N entries
  --model ID      tokens: the model, e.g. deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B;
                  validate: its token limit applies (2048 for the 1.5B, 8192 for the 70B)
  --max-tokens N  validate: longest accepted sample, in tokens
  --out DIR       build-dataset: where the files go (default: DATA_DIR/datasets)
  --data DIR      same as --data-dir
  --min-quality X, --seed N, --over-length drop|truncate, --max-examples N
                  build-dataset: selection and split settings (see the README)
  --port N        emulator: the port (default 4010; 0 picks a free one)
  --speed X       emulator: emulated seconds per real second (default 60)
  --faults FILE   emulator: fault rules to inject (a JSON array, see the README)
  --config FILE   launch: the pipeline configuration (JSON, the original design's shape)
  --detach        launch: store the pipeline and print its id without driving it
  --watch         status: print a line whenever the status changes, until the pipeline ends
  --interval-ms N status --watch: how often to look (default 1000)
  --max-delay-ms N
                  launch, resume, demo: the longest wait between two steps (for an emulator;
                  demo: default 100 when emulated, none with --real)
  --real          demo: run against Together for real with the key from the environment
                  (spends real money, up to the demo's $25 budget)
  --json          print one JSON object instead of text
`;

interface Options {
  json: boolean;
  dataDir?: string;
  limit?: number;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        "data-dir": { type: "string" },
        data: { type: "string" },
        out: { type: "string" },
        "min-quality": { type: "string" },
        seed: { type: "string" },
        "over-length": { type: "string" },
        "max-examples": { type: "string" },
        limit: { type: "string" },
        model: { type: "string" },
        "max-tokens": { type: "string" },
        port: { type: "string" },
        speed: { type: "string" },
        faults: { type: "string" },
        config: { type: "string" },
        detach: { type: "boolean", default: false },
        watch: { type: "boolean", default: false },
        "interval-ms": { type: "string" },
        "max-delay-ms": { type: "string" },
        real: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  const options: Options = {
    json: parsed.values.json ?? false,
    dataDir: parsed.values["data-dir"] ?? parsed.values.data,
  };
  if (parsed.values.limit !== undefined) {
    const limit = Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1) return usageError("--limit must be a whole number of at least 1");
    options.limit = limit;
  }
  if (parsed.values.help || command === undefined || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  switch (command) {
    case "ingest":
      if (rest.length !== 1) return usageError("ingest takes exactly one FILE");
      return ingest(rest[0], options);
    case "stats":
      if (rest.length !== 0) return usageError("stats takes no arguments");
      return stats(options);
    case "audit":
      if (rest.length !== 0) return usageError("audit takes no arguments");
      return audit(options);
    case "forget":
      if (rest.length !== 1) return usageError("forget takes exactly one example ID");
      return forget(rest[0], options);
    case "build-dataset": {
      if (rest.length !== 0) return usageError("build-dataset takes no arguments");
      const build: BuildOptions = {};
      const number = (flag: string, value: string | undefined, check: (n: number) => boolean) => {
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!Number.isFinite(n) || !check(n)) throw usage(`${flag} got '${value}'`);
        return n;
      };
      try {
        build.minQuality = number("--min-quality", parsed.values["min-quality"], (n) => n >= 0 && n <= 1);
        build.seed = number("--seed", parsed.values.seed, (n) => Number.isInteger(n) && n >= 0);
        build.maxExamples = number("--max-examples", parsed.values["max-examples"], (n) => Number.isInteger(n) && n >= 1);
      } catch (error) {
        return usageError((error as Error).message);
      }
      const overLength = parsed.values["over-length"];
      if (overLength !== undefined) {
        if (overLength !== "drop" && overLength !== "truncate") return usageError("--over-length must be drop or truncate");
        build.overLength = overLength;
      }
      for (const key of Object.keys(build) as Array<keyof BuildOptions>) if (build[key] === undefined) delete build[key];
      return buildDataset(build, parsed.values.out, options);
    }
    case "tokens": {
      const model = parsed.values.model;
      if (model === undefined) return usageError("tokens needs --model ID");
      if (rest.length > 1) return usageError("tokens takes at most one FILE (stdin when none)");
      if (canonicalModelId(model) === undefined) {
        const known = tokenizerModels().map((m) => m.modelId).join(", ");
        return usageError(`no tokenizer is known for model '${model}' (known: ${known})`);
      }
      return countTokens(model, rest[0], options);
    }
    case "validate": {
      if (rest.length !== 1) return usageError("validate takes exactly one FILE");
      const maxTokens = parsed.values["max-tokens"] === undefined ? undefined : Number(parsed.values["max-tokens"]);
      if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
        return usageError("--max-tokens must be a whole number of at least 1");
      }
      return validate(rest[0], { modelId: parsed.values.model, maxTokens }, options);
    }
    case "emulator": {
      if (rest.length !== 0) return usageError("emulator takes no arguments");
      const port = parsed.values.port === undefined ? 4010 : Number(parsed.values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) return usageError("--port must be a whole number from 0 to 65535");
      const speed = parsed.values.speed === undefined ? 60 : Number(parsed.values.speed);
      if (!Number.isFinite(speed) || speed <= 0) return usageError("--speed must be a positive number");
      return emulator(port, speed, parsed.values.faults, options);
    }
    case "launch":
    case "resume":
    case "status":
    case "cancel": {
      const whole = (flag: string) => {
        const value = parsed.values[flag as "interval-ms" | "max-delay-ms"];
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) throw usage(`${flag} must be a whole number of milliseconds`);
        return n;
      };
      let pipelineOptions: pipelineCli.PipelineCliOptions;
      try {
        pipelineOptions = {
          json: options.json,
          dataDir: options.dataDir ?? defaultDataDir(),
          maxDelayMs: whole("max-delay-ms"),
          intervalMs: whole("interval-ms"),
          watch: parsed.values.watch,
          detach: parsed.values.detach,
        };
      } catch (error) {
        return usageError((error as Error).message);
      }
      if (command === "launch") {
        if (rest.length !== 0 || parsed.values.config === undefined) return usageError("launch takes --config FILE");
        return pipelineCli.launch(parsed.values.config, pipelineOptions);
      }
      if (command === "cancel") {
        if (rest.length !== 1) return usageError("cancel takes exactly one pipeline ID");
        return pipelineCli.cancel(rest[0], pipelineOptions);
      }
      if (rest.length > 1) return usageError(`${command} takes at most one pipeline ID`);
      if (command === "status" && pipelineOptions.watch && rest.length === 0) return usageError("status --watch needs a pipeline ID");
      return command === "status" ? pipelineCli.status(rest[0], pipelineOptions) : pipelineCli.resume(rest[0], pipelineOptions);
    }
    case "demo": {
      if (rest.length !== 0) return usageError("demo takes no arguments");
      const maxDelay = parsed.values["max-delay-ms"];
      const maxDelayMs = maxDelay === undefined ? undefined : Number(maxDelay);
      if (maxDelayMs !== undefined && (!Number.isInteger(maxDelayMs) || maxDelayMs < 0)) {
        return usageError("--max-delay-ms must be a whole number of milliseconds");
      }
      return demo(options, parsed.values.real ?? false, maxDelayMs);
    }
    default:
      return usageError(`unknown command '${command}'`);
  }
}

function usageError(message: string): number {
  process.stderr.write(`selftune: ${message}\n\n${USAGE}`);
  return 2;
}

async function open(dataDir: string): Promise<Selftune> {
  return Selftune.create(createNodeHost({ dataDir }));
}

async function ingest(file: string, options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const report = await ingestFile(await open(dataDir), file);
  if (options.json) print({ dataDir, ...report });
  else process.stdout.write(formatIngest(file, dataDir, report));
  return 0;
}

async function stats(options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const summary = await (await open(dataDir)).stats();
  if (options.json) print({ dataDir, ...summary });
  else process.stdout.write(formatStats(dataDir, summary));
  return 0;
}

async function audit(options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const entries = await (await open(dataDir)).audit(options.limit);
  if (options.json) {
    print({ dataDir, entries });
    return 0;
  }
  for (const entry of entries) {
    const { at, op, ...details } = entry as unknown as { at: number; op: string } & Record<string, unknown>;
    const fields = Object.entries(details)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    process.stdout.write(`${new Date(at).toISOString()}  ${op.padEnd(10)} ${fields}\n`);
  }
  if (entries.length === 0) process.stdout.write(`The audit log in ${dataDir} is empty.\n`);
  return 0;
}

async function forget(exampleId: string, options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const result = await (await open(dataDir)).forget(exampleId);
  if (options.json) print({ dataDir, ...result });
  else if (result.forgotten) process.stdout.write(`Forgot ${exampleId} (${result.removedLines} log lines removed).\n`);
  else process.stdout.write(`No example ${exampleId} in ${dataDir}.\n`);
  return result.forgotten ? 0 : 1;
}

async function validate(file: string, settings: ValidateFileOptions, options: Options): Promise<number> {
  const report = await validateFile(file, settings);
  if (options.json) print({ file, ...report });
  else process.stdout.write(formatValidation(file, report));
  return report.passed ? 0 : 1;
}

function usage(message: string): Error {
  return new Error(message);
}

async function buildDataset(build: BuildOptions, out: string | undefined, options: Options): Promise<number> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const selftune = await open(dataDir);
  const outDir = resolve(out ?? join(dataDir, "datasets"));
  const manifest = await selftune.buildDataset(build, new FileStorage(outDir));
  if (options.json) print({ outDir, ...manifest });
  else process.stdout.write(formatManifest(outDir, manifest));
  return manifest.profiles.every((profile) => profile.validated) ? 0 : 1;
}

async function countTokens(modelId: string, file: string | undefined, options: Options): Promise<number> {
  let text: string;
  try {
    text = file === undefined ? await readStdin() : await readFile(file, "utf8");
  } catch (error) {
    throw selftuneError("io", `could not read ${file ?? "stdin"}: ${(error as Error).message}`);
  }
  const count = await (await Selftune.create(createMemoryHost())).countTokens(modelId, text);
  if (options.json) {
    print({ file: file ?? null, ...count });
  } else if (count.exact) {
    process.stdout.write(`${count.tokens} tokens for ${count.model} (${count.tokenizer})\n`);
  } else {
    const source = tokenizerSource(modelId);
    const hint = source ? `; install ${source.package} for an exact count` : "";
    process.stdout.write(`about ${count.tokens} tokens for ${count.model} (${count.tokenizer}${hint})\n`);
  }
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function demo(options: Options, real: boolean, maxDelayMs: number | undefined): Promise<number> {
  return runDemo({
    json: options.json,
    dataDir: options.dataDir,
    real,
    maxDelayMs,
  });
}

async function emulator(port: number, speed: number, faultsFile: string | undefined, options: Options): Promise<number> {
  let faults: FaultRule[] | undefined;
  if (faultsFile !== undefined) {
    try {
      faults = JSON.parse(await readFile(faultsFile, "utf8")) as FaultRule[];
    } catch (error) {
      throw selftuneError("io", `could not read the fault rules in ${faultsFile}: ${(error as Error).message}`);
    }
  }
  const running = await startEmulator({ port, speed, faults });
  if (options.json) print({ baseUrl: running.baseUrl, port: running.port, speed });
  else {
    process.stdout.write(`Together emulator listening on ${running.baseUrl} (speed ${speed}x)\n`);
    process.stdout.write(`  TOGETHER_BASE_URL=${running.baseUrl} TOGETHER_API_KEY=<any non-empty value>\n`);
    process.stdout.write("Press Ctrl-C to stop.\n");
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  return 0;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = isSelftuneError(error) ? error.message : String((error as Error)?.stack ?? error);
    process.stderr.write(`selftune: ${message}\n`);
    process.exitCode = 1;
  },
);

// Keeps the helper importable for tests without running a command twice.
export { selftuneError };
