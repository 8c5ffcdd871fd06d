// Shared by the dashboard's browser test and its screenshot script: real pipeline statuses from the
// in-process Together emulator, a loopback server for the rendered page, and headless Chromium.
import { createServer } from "node:http";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";

import { PipelineRunner, Selftune, createNodeHost, startEmulator } from "selftune";
import { fastTogether, fillLog, pipelineConfig } from "./pipeline.mjs";

/** Where Chromium is; `CHROMIUM_PATH` overrides the distribution's usual place. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function chromiumAvailable() {
  try {
    await access(CHROMIUM_PATH);
    return true;
  } catch {
    return false;
  }
}

/**
 * A handle over a fresh data folder with `examples` distinct examples, and an emulator at `speed`.
 * `close()` stops the runner, the emulator, and removes the folder.
 */
async function setUp({ speed, examples = 16 }) {
  const emulator = await startEmulator({ speed });
  const dataDir = await mkdtemp(join(tmpdir(), "selftune-dashboard-"));
  const selftune = await Selftune.create(createNodeHost({ dataDir, logger: () => {} }));
  await fillLog(selftune, examples);
  const runner = new PipelineRunner(selftune, { together: fastTogether(emulator.baseUrl), env: {}, maxDelayMs: 20 });
  const close = async () => {
    runner.stop();
    // A step already in flight when the runner stopped still ends, and may write to the folder.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await emulator.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { emulator, selftune, runner, close };
}

/**
 * Runs a whole pipeline (train, evaluate, decide) against the emulator. Resolves to what the
 * dashboard renders: `{ pipelines, stats, status }`.
 */
export async function completedPipelineData({ name = "emulator run" } = {}) {
  const env = await setUp({ speed: 20_000 });
  try {
    const id = await env.runner.launch(pipelineConfig({ name }));
    const status = await env.runner.wait(id);
    if (status.status !== "completed") throw new Error(`the pipeline ended ${status.status}: ${JSON.stringify(status.lastError)}`);
    return { pipelines: await env.selftune.listPipelines(), stats: await env.selftune.stats(), status };
  } finally {
    await env.close();
  }
}

/**
 * A pipeline caught mid-training: the runner is stopped once every job has reported at least
 * `minPoints` losses, so the stored status still says `running`. The emulator runs slower here
 * (a step every 60 ms) so the pipeline cannot finish between two looks.
 */
export async function runningPipelineData({ minPoints = 2, timeoutMs = 20_000 } = {}) {
  const env = await setUp({ speed: 100 });
  try {
    const id = await env.runner.launch(pipelineConfig({ name: "mid-training run" }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await env.selftune.getPipelineStatus(id);
      if (status.status !== "running") throw new Error(`the pipeline ended ${status.status} before it was caught: ${JSON.stringify(status.lastError)}`);
      if (status.jobs.every((job) => job.lossCurve.length >= minPoints)) {
        env.runner.stop(id);
        return { pipelines: [status], stats: await env.selftune.stats(), status };
      }
      if (Date.now() > deadline) throw new Error(`no ${minPoints} losses per job within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await env.close();
  }
}

/** Serves `html` at `/` on 127.0.0.1 (any other path is a 404); records every request. */
export async function servePage(html) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Headless Chromium through playwright-core, with a throwaway profile (Playwright makes one). */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Opens `url` in a new page of `width` CSS pixels and waits for it to load. Every request the page
 * makes is recorded in `requests` (its URLs), from before the navigation on.
 */
export async function openPage(browser, url, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  const response = await page.goto(url, { waitUntil: "load" });
  return { context, page, requests, response };
}

/** Writes a full-page PNG of `page` to `path`, compressed harder than Chromium does. */
export async function savePageScreenshot(page, path) {
  await writeFile(path, recompressPng(await page.screenshot({ fullPage: true, type: "png" })));
}

/** Renders `html` in Chromium at `width` and writes a full-page PNG to `path`. */
export async function screenshotHtml(html, path, { width = 1280 } = {}) {
  const server = await servePage(html);
  const browser = await launchChromium();
  try {
    const { page, requests } = await openPage(browser, server.url, { width });
    await savePageScreenshot(page, path);
    return { requests, origin: server.origin };
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Re-encodes an 8-bit RGB or RGBA PNG without row filters at the highest deflate level. Chromium
 * encodes for speed; a flat page like this one compresses about a quarter smaller this way. Any
 * other PNG is returned as it is.
 */
export function recompressPng(png) {
  const SIGNATURE = png.subarray(0, 8);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colorType, , , interlace] = png.subarray(24, 29);
  const bpp = colorType === 2 ? 3 : colorType === 6 ? 4 : 0;
  if (depth !== 8 || bpp === 0 || interlace !== 0) return png;
  const idat = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const filtered = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc((stride + 1) * height);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y += 1) {
    const type = filtered[y * (stride + 1)];
    const line = Buffer.from(filtered.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x += 1) {
      const a = x >= bpp ? line[x - bpp] : 0;
      const b = prev[x];
      const c = x >= bpp ? prev[x - bpp] : 0;
      line[x] = (line[x] + unfilter(type, a, b, c)) & 255;
    }
    out[y * (stride + 1)] = 0;
    line.copy(out, y * (stride + 1) + 1);
    prev = line;
  }
  const ihdr = png.subarray(8, 8 + 12 + png.readUInt32BE(8));
  return Buffer.concat([SIGNATURE, ihdr, chunk("IDAT", deflateSync(out, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

function unfilter(type, a, b, c) {
  switch (type) {
    case 0: return 0;
    case 1: return a;
    case 2: return b;
    case 3: return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default: throw new Error(`unknown PNG filter ${type}`);
  }
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

let CRC_TABLE;

function crc32(bytes) {
  CRC_TABLE ??= Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
