// Scrubbing throughput in the wasm package: the same corpus as `cargo bench --bench redact`
// (the bundled samples repeated to a few megabytes), median of several runs.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { redactText } from "selftune";

const TARGET_BYTES = 4 << 20;
const RUNS = 9;

const samples = fileURLToPath(new URL("../samples/events.jsonl", import.meta.url));
const files = readFileSync(samples, "utf8")
  .trim()
  .split("\n")
  .flatMap((line) => JSON.parse(line).payload.outcome.files.map((file) => [file.path, file.content]));
const once = files.reduce((sum, [, content]) => sum + Buffer.byteLength(content), 0);
const corpus = Array.from({ length: Math.ceil(TARGET_BYTES / once) }, () => files).flat();
const bytes = corpus.reduce((sum, [, content]) => sum + Buffer.byteLength(content), 0);

const rates = [];
for (let run = 0; run < RUNS; run += 1) {
  const started = process.hrtime.bigint();
  let replaced = 0;
  for (const [path, content] of corpus) replaced += Object.keys(redactText(content, path).counts).length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (replaced < 0) throw new Error("unreachable");
  rates.push(bytes / seconds / 1e6);
}
rates.sort((a, b) => a - b);
console.log(
  `redactText, wasm in Node: median ${rates[RUNS >> 1].toFixed(1)} MB/s (min ${rates[0].toFixed(1)}, max ${rates[RUNS - 1].toFixed(1)}) over ${(bytes / 1e6).toFixed(1)} MB, ${RUNS} runs (includes copying each text into wasm and back)`,
);
