// Redaction through the built package: the false-positive rate on real plugin and MCP code, and a
// canary key that must never reach disk, stdout or stderr through the CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { redactText } from "selftune";
import { SAMPLES, fakeToken, runCli, tempDir } from "./support/helpers.mjs";

const NODE_MODULES = fileURLToPath(new URL("../node_modules/", import.meta.url));
const packageDir = (name) => join(NODE_MODULES, name);

async function sourceFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (/\.(m?js|cjs|ts|json)$/.test(entry.name) && (await stat(path)).size < 4_000_000) files.push(path);
  }
  return files;
}

/** [path, text] pairs: the bundled samples' files, and the ElizaOS core and MCP SDK builds. */
async function cleanCorpus() {
  const docs = [];
  for (const line of (await readFile(SAMPLES, "utf8")).trim().split("\n")) {
    for (const file of JSON.parse(line).payload.outcome.files) docs.push([file.path, file.content]);
  }
  for (const name of ["@elizaos/core", "@modelcontextprotocol/sdk"]) {
    const root = join(packageDir(name), "dist");
    for (const file of await sourceFiles(root)) docs.push([relative(root, file), await readFile(file, "utf8")]);
  }
  return docs;
}

test("false redactions on clean plugin and MCP code stay under 1 per 10,000 lines", async (t) => {
  const docs = await cleanCorpus();
  let lines = 0;
  let bytes = 0;
  const falseHits = {};
  const examples = [];
  for (const [path, text] of docs) {
    lines += text.split("\n").length;
    bytes += Buffer.byteLength(text);
    // Credentials only: the public packages legitimately hold their authors' e-mail addresses.
    const { text: redacted, counts } = redactText(text, path, { redactEmails: false, redactPhoneNumbers: true });
    for (const [kind, n] of Object.entries(counts)) {
      falseHits[kind] = (falseHits[kind] ?? 0) + n;
      const line = redacted.split("\n").find((l) => l.includes(`<REDACTED:${kind}>`)) ?? "";
      examples.push(`${path}: ${line.trim().slice(0, 120)}`);
    }
  }
  const total = Object.values(falseHits).reduce((a, b) => a + b, 0);
  const per10k = (total / lines) * 10_000;
  const summary = `${total} false redactions in ${lines} lines (${(bytes / 1e6).toFixed(1)} MB, ${docs.length} files): ${per10k.toFixed(3)} per 10,000 lines ${JSON.stringify(falseHits)}`;
  t.diagnostic(summary);
  console.log(`redaction false positives: ${summary}`);
  for (const example of examples.slice(0, 10)) console.log(`  ${example}`);
  assert.ok(lines >= 10_000, `the corpus has only ${lines} lines`);
  assert.ok(per10k <= 1, summary);
});

test("a canary key given to the CLI never reaches disk, stdout or stderr", async (t) => {
  const canary = `tgp_v1_${fakeToken(43, 4242)}`;
  const dir = await tempDir(t);
  const events = join(dir, "events.jsonl");
  const good = {
    id: `evt-${canary}`,
    originalRequest: `Build it with ${canary}`,
    outcome: {
      success: true,
      pluginName: canary,
      files: [
        { path: ".env", content: `TOGETHER_API_KEY=${canary}\n` },
        { path: "src/index.ts", content: `const key = "${canary}";\n` },
      ],
    },
  };
  await writeFile(
    events,
    [
      JSON.stringify({ event: "plugin-success", payload: good }),
      JSON.stringify({ event: "plugin-success", payload: { ...good, outcome: { ...good.outcome, files: [{ path: `/${canary}`, content: "" }] } } }),
      JSON.stringify({ event: canary, payload: good }),
      `{"event": "plugin-success", "payload": ${canary}`,
      JSON.stringify({ event: "mcp-success", payload: { originalRequest: canary, outcome: { success: false, files: [] } } }),
    ].join("\n"),
  );
  const dataDir = join(dir, "data");
  const outputs = [];
  for (const args of [["ingest", events], ["ingest", events, "--json"], ["stats"], ["stats", "--json"], ["audit"], ["audit", "--json"]]) {
    const { code, stdout, stderr } = await runCli([...args, "--data-dir", dataDir]);
    assert.equal(code, 0, stderr);
    outputs.push(stdout, stderr);
  }
  for (const output of outputs) assert.ok(!output.includes(canary), `the canary leaked:\n${output}`);
  const stored = [];
  for (const sub of await readdir(dataDir, { recursive: true })) {
    const path = join(dataDir, sub);
    if ((await stat(path)).isFile()) stored.push(await readFile(path, "utf8"));
  }
  assert.ok(stored.length >= 2);
  for (const text of stored) assert.ok(!text.includes(canary), "the canary reached storage");
  assert.ok(stored.some((text) => text.includes("TOGETHER_API_KEY=<REDACTED:together_api_key>")));
});
