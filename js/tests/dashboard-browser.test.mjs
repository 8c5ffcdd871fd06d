// The dashboard of real pipelines (run against the in-process Together emulator), served from a
// loopback server and rendered in headless Chromium: the charts, figures and decisions are on the
// page, it asks for nothing beyond the server, it fits a phone's width, and it screenshots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { renderDashboard } from "../dist/dashboard.js";
import { tempDir } from "./support/helpers.mjs";
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  completedPipelineData,
  launchChromium,
  openPage,
  runningPipelineData,
  savePageScreenshot,
  servePage,
} from "./support/dashboard.mjs";

const available = await chromiumAvailable();
if (!available && process.env.CI) throw new Error(`Chromium is required in CI but is not at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
const skip = available ? false : `Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH to run this test)`;

/** One browser for the file; each test serves its own page. */
async function browserFor(t) {
  const browser = await launchChromium();
  t.after(() => browser.close());
  return browser;
}

async function serve(t, html) {
  const server = await servePage(html);
  t.after(() => server.close());
  return server;
}

/** The URLs in `requests` that are not on `origin`. */
function offServer(requests, origin) {
  return requests.filter((url) => !url.startsWith(`${origin}/`));
}

/** Points in the polyline marked `data-series="NAME"` (0 when absent). */
function seriesPoints(page, name) {
  return page.evaluate((name) => {
    const line = document.querySelector(`polyline[data-series="${name}"]`);
    if (!line) return 0;
    return line.getAttribute("points").trim().split(/\s+/).filter(Boolean).length;
  }, name);
}

test("a completed pipeline's dashboard in Chromium", { skip, timeout: 60_000 }, async (t) => {
  const started = Date.now();
  const { pipelines, stats, status } = await completedPipelineData();
  const ran = Date.now() - started;
  const html = renderDashboard({ title: "test agent", generatedAt: Date.now(), pipelines, stats, statusUrl: "/selftune/status" });
  assert.doesNotMatch(html, /http-equiv="refresh"/, "nothing is running");
  const server = await serve(t, html);
  const browser = await browserFor(t);
  const { page, requests, response } = await openPage(browser, server.url, { width: 1280 });
  assert.equal(response.status(), 200);

  // The loss chart: both series of both jobs, every loss the job reported.
  for (const job of status.jobs) {
    const training = job.lossCurve.filter((p) => p.trainingLoss !== null).length;
    const validation = job.lossCurve.filter((p) => p.validationLoss !== null).length;
    assert.ok(training >= 4 && validation >= 2, `${job.slot}: the emulator reported ${training} and ${validation} losses`);
    assert.equal(await seriesPoints(page, `${job.slot}-training`), training, job.slot);
    assert.equal(await seriesPoints(page, `${job.slot}-validation`), validation, job.slot);
    const box = await page.locator(`polyline[data-series="${job.slot}-training"]`).boundingBox();
    assert.ok(box && box.width > 100 && box.height > 20, `${job.slot}: the line is drawn (${JSON.stringify(box)})`);
  }
  assert.equal(await page.locator("svg.loss-chart").count(), 2);
  assert.equal(await page.locator("text=No loss reported yet").count(), 0);

  // The figures a reader looks for, as text on the page.
  const text = await page.locator("body").innerText();
  assert.match(text, /of the \$50\.00 budget/);
  assert.match(text, /100%/);
  assert.match(text, /completed/);
  for (const slot of ["small", "large"]) {
    const deployment = status.deployments[slot];
    const evaluation = status.evaluations[slot];
    assert.ok(deployment && evaluation?.summary, `${slot} was evaluated and decided`);
    const card = await page.locator(`.decision[data-slot="${slot}"]`).innerText();
    assert.ok(card.includes(deployment.decision.target), `${slot}: target ${deployment.decision.target} in ${card}`);
    assert.ok(card.includes(deployment.decision.cell), `${slot}: cell`);
    const row = await page.locator(".eval-table tr", { hasText: slot }).innerText();
    assert.ok(row.includes(`${Math.round(evaluation.summary.winRate * 100)}%`), `${slot}: win rate in ${row}`);
  }
  for (const job of status.jobs) assert.ok(text.includes(job.outputModel.slice(0, 20)), `output model of ${job.slot}`);
  assert.ok(!text.includes("NaN") && !text.includes("undefined"));

  // Offline: only the page itself was asked for, from the loopback server.
  assert.deepEqual(offServer(requests, server.origin), []);
  assert.deepEqual(server.requests, ["/"]);

  // A phone's width: nothing pushes the page sideways (wide tables scroll in their own box).
  await page.setViewportSize({ width: 400, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 400px window`);
  const chartWidth = (await page.locator("svg.loss-chart").first().boundingBox()).width;
  assert.ok(chartWidth > 250 && chartWidth <= 400, `the chart shrinks to the window (${chartWidth}px)`);
  await page.setViewportSize({ width: 1280, height: 900 });

  const shot = join(await tempDir(t), "dashboard.png");
  await savePageScreenshot(page, shot);
  const png = await readFile(shot);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
  assert.equal(png.readUInt32BE(16), 1280, "as wide as the window");
  const height = png.readUInt32BE(20);
  assert.ok(height > 900, "the full page, taller than the window");
  assert.ok(png.length > 20_000, `more than a blank page (${png.length} bytes)`);
  // The re-encoded file decodes (Chromium checks its chunks), to the page's size, and is not blank.
  const decoded = await page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.naturalWidth, image.naturalHeight).data;
    const colors = new Set();
    for (let i = 0; i < pixels.length && colors.size < 50; i += 4 * 97) colors.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return { width: image.naturalWidth, height: image.naturalHeight, colors: colors.size };
  }, png.toString("base64"));
  assert.deepEqual({ width: decoded.width, height: decoded.height }, { width: 1280, height });
  assert.ok(decoded.colors >= 10, `a page, not a flat fill (${decoded.colors} colors sampled)`);
  t.diagnostic(`pipeline ${ran} ms, whole test ${Date.now() - started} ms`);
});

test("a running pipeline reloads itself and shows a partial chart", { skip, timeout: 60_000 }, async (t) => {
  const started = Date.now();
  const { pipelines, stats, status } = await runningPipelineData({ minPoints: 2 });
  assert.equal(status.status, "running");
  const html = renderDashboard({ generatedAt: Date.now(), pipelines, stats, refreshSeconds: 7 });
  const server = await serve(t, html);
  const browser = await browserFor(t);
  const { page, requests } = await openPage(browser, server.url, { width: 1280 });

  assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute("content"), "7");
  const text = await page.locator("body").innerText();
  assert.match(text, /running/);
  const progress = Math.round(status.progress);
  assert.ok(text.includes(`${progress}%`), `progress ${progress}% in the page`);
  assert.ok(status.progress > 0 && status.progress < 100);
  for (const job of status.jobs) {
    const points = await seriesPoints(page, `${job.slot}-training`);
    assert.ok(points >= 2, `${job.slot}: ${points} training points`);
    assert.ok(job.totalSteps > points, `${job.slot}: partial (${points} of ${job.totalSteps} steps)`);
    // The x axis already runs to the last step, so the line covers only part of the plot.
    const line = await page.locator(`polyline[data-series="${job.slot}-training"]`).boundingBox();
    const plot = await page.locator(`figure[data-job="${job.slot}"] line.axis`).first().boundingBox();
    assert.ok(line.x + line.width < plot.x + plot.width - 10, `${job.slot}: the line stops short of the axis end`);
  }
  assert.match(text, /Not evaluated yet/);
  assert.match(text, /No decision yet/);
  assert.deepEqual(offServer(requests, server.origin), []);
  t.diagnostic(`running pipeline test ${Date.now() - started} ms`);
});
