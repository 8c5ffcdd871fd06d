// Capture latency through the built wasm package: a typical event (8 files, about 40 KB):
// validate, redact, score, hash, append, audit.
// Prints medians and percentiles; the machine is shared, so compare ratios, not absolutes.
//   node bench/capture.mjs [--events N]
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { Selftune, createMemoryHost, createNodeHost } from "selftune";

const { values } = parseArgs({ options: { events: { type: "string", default: "2000" } } });
const EVENTS = Number(values.events);
const WARMUP = Math.min(200, EVENTS);

// The bundled sample with 8 files and about 40 KB (plugin-reminders): real code, so the scrubber
// sees what it would in production. Each event gets its own request so none is a duplicate.
const samples = fileURLToPath(new URL("../samples/events.jsonl", import.meta.url));
const TEMPLATE = readFileSync(samples, "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line).payload)
  .find((payload) => payload.outcome.success && payload.outcome.files.length === 8);

function typicalEvent(i) {
  return { ...TEMPLATE, id: `bench-${i}`, originalRequest: `${TEMPLATE.originalRequest} (variant ${i})` };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function measure(label, selftune) {
  for (let i = 0; i < WARMUP; i += 1) await selftune.onPluginSuccess(typicalEvent(-1 - i));
  const events = Array.from({ length: EVENTS }, (_, i) => typicalEvent(i));
  const samples = [];
  const started = process.hrtime.bigint();
  for (const event of events) {
    const t0 = process.hrtime.bigint();
    const result = await selftune.onPluginSuccess(event);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!result.stored) throw new Error(`event not stored: ${JSON.stringify(result)}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  samples.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} median ${quantile(samples, 0.5).toFixed(3)} ms  p95 ${quantile(samples, 0.95).toFixed(3)} ms  ` +
      `${Math.round(EVENTS / seconds)} events/s`,
  );
  return quantile(samples, 0.5);
}

const bytes = typicalEvent(0).outcome.files.reduce((sum, file) => sum + file.content.length, 0);
console.log(`onPluginSuccess, ${EVENTS} events of 8 files / ${(bytes / 1024).toFixed(1)} KiB each (after ${WARMUP} warm-up)`);

const memory = await measure("memory host (no disk)", await Selftune.create(createMemoryHost()));

const dir = await mkdtemp(join(tmpdir(), "selftune-bench-"));
try {
  const noSync = await measure(
    "file host, fsync off",
    await Selftune.create(createNodeHost({ dataDir: join(dir, "nosync"), sync: false })),
  );
  const synced = await measure(
    "file host, fsync on (durable)",
    await Selftune.create(createNodeHost({ dataDir: join(dir, "sync") })),
  );
  console.log(`goal: under 0.5 ms per event excluding fsync -> memory host median ${memory.toFixed(3)} ms`);
  console.log(`ratios: file/memory ${(noSync / memory).toFixed(2)}x, fsync/no-fsync ${(synced / noSync).toFixed(2)}x`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
