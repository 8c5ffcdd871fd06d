// Packs the package as npm would publish it, installs the tarball into an empty project (offline:
// it has no runtime dependencies) and uses it from there: catches files missing from "files".
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

import { tempDir } from "./support/helpers.mjs";

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));

test("the packed tarball installs and works in a fresh project", async (t) => {
  const dir = await tempDir(t);
  const { stdout: packed } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: PACKAGE_DIR });
  const [{ filename, files }] = JSON.parse(packed);
  const names = files.map((file) => file.path);
  for (const needed of ["dist/index.js", "dist/index.d.ts", "dist/cli.js", "wasm/selftune_bg.wasm", "wasm/selftune.js", "wasm/selftune.d.ts", "wasm/package.json", "samples/events.jsonl"]) {
    assert.ok(names.includes(needed), `${needed} is not in the tarball`);
  }
  assert.ok(!names.some((name) => name.startsWith("tests/") || name.startsWith("src/")), names.join(", "));

  const project = join(dir, "agent");
  await run("mkdir", ["-p", project]);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "agent", private: true, type: "module" }));
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(dir, filename)], { cwd: project });

  await writeFile(
    join(project, "use.mjs"),
    `import { Selftune, createMemoryHost } from "selftune";
     const selftune = await Selftune.create(createMemoryHost());
     const result = await selftune.onPluginSuccess({ originalRequest: "Build it", outcome: { success: true, files: [{ path: "a.ts", content: "x" }] } });
     console.log(JSON.stringify(result));`,
  );
  const { stdout } = await run(process.execPath, ["use.mjs"], { cwd: project });
  assert.equal(JSON.parse(stdout).stored, true);

  const demo = await run(join(project, "node_modules", ".bin", "selftune"), ["demo", "--json", "--data-dir", join(dir, "demo")], { cwd: project });
  assert.ok(JSON.parse(demo.stdout).ingest.stored >= 10);
});
