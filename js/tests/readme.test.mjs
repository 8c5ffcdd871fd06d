// Runs every ```js example of the README against the built package. A `console.log(x); // y`
// line must print y (quotes around a lone string are dropped; lines with "…" are not checked).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { runNode } from "./support/helpers.mjs";

const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
const README = fileURLToPath(new URL("../../README.md", import.meta.url));

const blocks = [...(await readFile(README, "utf8")).matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

function expectedOutputs(code) {
  return [...code.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)]
    .map((m) => m[1].trim())
    .filter((expected) => !expected.includes("…"))
    .map((expected) => expected.replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1"));
}

test("the README has js examples", () => {
  assert.ok(blocks.length >= 3, `found ${blocks.length}`);
});

for (const [index, code] of blocks.entries()) {
  test(`README example ${index + 1} runs and prints what it says`, async (t) => {
    // Inside the package folder, so `import ... from "selftune"` resolves to this package.
    const dir = await mkdtemp(join(PACKAGE_DIR, ".readme-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, `example-${index + 1}.mjs`);
    await writeFile(file, code);
    const { code: exit, stdout, stderr } = await runNode([file], { env: { TRAINING_DATA_DIR: join(dir, "data") } });
    assert.equal(exit, 0, stderr);
    for (const expected of expectedOutputs(code)) {
      assert.ok(stdout.includes(expected), `expected "${expected}" in:\n${stdout}`);
    }
  });
}
