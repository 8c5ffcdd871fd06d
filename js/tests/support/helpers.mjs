// Shared helpers for the package tests (they import the built package, as users do).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
export const SAMPLES = fileURLToPath(new URL("../../samples/events.jsonl", import.meta.url));

export function pluginEvent(request, fileCount = 2, extra = {}) {
  const files = Array.from({ length: fileCount }, (_, i) => ({
    path: `src/actions/action${i}.ts`,
    content: `export const action${i} = { name: "ACTION_${i}" };\n`,
  }));
  return {
    originalRequest: request,
    executionTime: 8_000,
    tokensUsed: 2_100,
    outcome: { success: true, pluginName: "plugin-demo", files },
    ...extra,
  };
}

export async function tempDir(t) {
  const dir = await mkdtemp(join(tmpdir(), "selftune-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `node ARGS`; resolves to { code, stdout, stderr }. `input` is written to stdin. */
export function runNode(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}

/** Runs the CLI; resolves to { code, stdout, stderr }. */
export function runCli(args, options = {}) {
  return runNode([CLI, ...args], options);
}

/** A deterministic pseudo-random string over `alphabet`: stands in for a token body in tests. */
export function fakeToken(length, seed = 7, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") {
  let state = seed >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out += alphabet[(state >>> 0) % alphabet.length];
  }
  return out;
}
