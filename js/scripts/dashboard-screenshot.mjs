// Writes a PNG of the training dashboard for a real pipeline, run to completion against the
// in-process Together emulator and rendered in headless Chromium, as the browser test does.
//
//   node js/scripts/dashboard-screenshot.mjs [OUT.png]     (default: js/docs/dashboard.png)
//
// Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and the built package (dist/).
import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { renderDashboard } from "../dist/dashboard.js";
import { CHROMIUM_PATH, chromiumAvailable, completedPipelineData, screenshotHtml } from "../tests/support/dashboard.mjs";

const out = resolve(process.argv[2] ?? fileURLToPath(new URL("../docs/dashboard.png", import.meta.url)));

if (!(await chromiumAvailable())) {
  console.error(`Chromium not found at ${CHROMIUM_PATH}; set CHROMIUM_PATH`);
  process.exit(1);
}

const { pipelines, stats } = await completedPipelineData({ name: "nightly code-generation fine-tune" });
const html = renderDashboard({ title: "coder agent", generatedAt: Date.now(), pipelines, stats, statusUrl: "/selftune/status" });
await mkdir(dirname(out), { recursive: true });
const { requests, origin } = await screenshotHtml(html, out, { width: 1280 });
const foreign = requests.filter((url) => !url.startsWith(`${origin}/`));
if (foreign.length > 0) {
  console.error(`the page asked for something off the loopback server: ${foreign.join(", ")}`);
  process.exit(1);
}
console.log(`${out} (${(await stat(out)).size} bytes)`);
