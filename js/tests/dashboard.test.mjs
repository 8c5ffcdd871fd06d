// The dashboard renderer on its own: escaping, the empty and "no loss" states, the loss series,
// the costs text, and that the page points nowhere off the server.
import { test } from "node:test";
import assert from "node:assert/strict";

import { renderDashboard } from "../dist/dashboard.js";

const NOW = Date.UTC(2025, 4, 6, 12, 0, 0);

function job(slot, extra = {}) {
  return {
    slot,
    model: `base/${slot}-model`,
    suffix: slot,
    jobId: null,
    status: null,
    eventsSeen: 0,
    step: null,
    totalSteps: null,
    trainingLoss: null,
    validationLoss: null,
    lossCurve: [],
    outputModel: null,
    estimatedUsd: 0,
    spentUsd: 0,
    files: {},
    cancelReason: null,
    error: null,
    ...extra,
  };
}

/** A status as the core reports it, before training (no losses). */
function pipeline(extra = {}) {
  return {
    id: "pl_0123456789ab",
    name: "nightly",
    status: "running",
    currentPhase: "training",
    progress: 42,
    jobs: [job("small"), job("large")],
    eventsSeen: 0,
    trainingLoss: {},
    validationLoss: {},
    costs: { budgetUsd: 25, estimatedUsd: 3.5, spentUsd: 1.25, remainingUsd: 23.75 },
    data: {
      qualifyingExamples: 120,
      minDataPoints: 100,
      profiles: { small: { train: 96, validation: 12, test: 12, tokens: 51_000, maxLineTokens: 900, estimatedUsd: 0.4 } },
    },
    createdAt: NOW - 60_000,
    updatedAt: NOW - 1_000,
    finishedAt: null,
    lastError: null,
    evaluations: {},
    deployments: {},
    endpoints: [],
    ...extra,
  };
}

const CURVE = [
  { step: 1, trainingLoss: 2.1, validationLoss: null },
  { step: 2, trainingLoss: 1.6, validationLoss: 1.7 },
  { step: 3, trainingLoss: 1.2, validationLoss: null },
  { step: 4, trainingLoss: 0.9, validationLoss: 1.0 },
  { step: 5, trainingLoss: null, validationLoss: null },
];

function render(pipelines, extra = {}) {
  return renderDashboard({ generatedAt: NOW, pipelines, stats: null, ...extra });
}

/** The polyline marked `data-series="NAME"`: its points as [x, y] pairs. */
function series(html, name) {
  const match = html.match(new RegExp(`<polyline[^>]*data-series="${name}"[^>]*>`));
  assert.ok(match, `series ${name}`);
  const points = match[0].match(/\spoints="([^"]*)"/)[1].trim().split(/\s+/).filter(Boolean);
  return points.map((p) => p.split(",").map(Number));
}

test("data from the pipeline is escaped", () => {
  const hostile = "<script>alert(1)</script>";
  const html = render([
    pipeline({
      name: hostile,
      status: "failed",
      currentPhase: "failed",
      lastError: { code: "together_http", message: `model "x" & <b>y</b> refused`, at: NOW },
      jobs: [job("small", { model: `<img src=x onerror=alert(2)>`, error: `it's "bad"` })],
      deployments: {
        "<i>slot</i>": {
          stage: "decided",
          decision: { target: "toString", cell: "<u>cell</u>", reasons: ["</li><script>x</script>"] },
          parametersBillions: null, precision: "fp16", sizeGb: null, cost: undefined,
          carriedOut: false, endpointName: null, endpointId: null, smokeTest: null, local: null,
          summary: "a & b",
        },
      },
    }),
  ], { title: `Agent "Q" & <co>` });
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<img/i);
  assert.doesNotMatch(html, /<b>y<\/b>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /model &quot;x&quot; &amp; &lt;b&gt;y&lt;\/b&gt; refused/);
  assert.match(html, /it&#39;s &quot;bad&quot;/);
  assert.match(html, /&lt;i&gt;slot&lt;\/i&gt;: <span class="target target-none">toString<\/span>/, "an unknown target is shown as given");
  assert.match(html, /&lt;u&gt;cell&lt;\/u&gt;/);
  assert.doesNotMatch(html, /<i>|<u>|function/);
  assert.match(html, /<title>selftune · Agent &quot;Q&quot; &amp; &lt;co&gt;<\/title>/);
});

test("no pipelines: the empty state says how to start one", () => {
  const html = render([]);
  assert.match(html, /No training pipelines yet/);
  assert.match(html, /selftune launch --config FILE/);
  assert.doesNotMatch(html, /<svg/);
  assert.doesNotMatch(html, /http-equiv="refresh"/, "nothing runs, nothing to reload");
  assert.match(html, /example log's summary is unavailable/);
});

test("no loss reported yet: a readable state, and no NaN anywhere", () => {
  const html = render([pipeline({ progress: Number.NaN, costs: { budgetUsd: Number.NaN, estimatedUsd: null, spentUsd: undefined, remainingUsd: 0 } })]);
  assert.equal(html.match(/No loss reported yet/g)?.length, 2, "one per job");
  assert.doesNotMatch(html, /NaN/);
  assert.doesNotMatch(html, /undefined|null/);
  assert.doesNotMatch(html, /data-series=/, "no series without points");
});

test("a loss curve becomes one polyline per series, with the points that have a value", () => {
  const small = job("small", { status: "running", step: 4, totalSteps: 8, trainingLoss: 0.9, validationLoss: 1.0, lossCurve: CURVE });
  const html = render([pipeline({ jobs: [small, job("large", { status: "queued" })] })]);
  const training = series(html, "small-training");
  const validation = series(html, "small-validation");
  assert.equal(training.length, 4);
  assert.equal(validation.length, 2);
  assert.doesNotMatch(html, /NaN/);
  for (const [x, y] of [...training, ...validation]) {
    assert.ok(Number.isFinite(x) && Number.isFinite(y));
  }
  // Steps go right, falling loss goes down the page (up in SVG terms: a larger y is lower).
  for (let i = 1; i < training.length; i += 1) {
    assert.ok(training[i][0] > training[i - 1][0], "x grows with the step");
    assert.ok(training[i][1] > training[i - 1][1], "y grows as the loss falls");
  }
  // The x axis runs to the job's total steps, so a partial run fills part of the width.
  const ticks = [...html.matchAll(/<text class="tick"[^>]*text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
  assert.equal(Math.max(...ticks), 8);
  assert.match(html, /training loss: 0\.900 at step 4/);
  const early = render([pipeline({ jobs: [job("small", { status: "running", step: 1, totalSteps: 8, lossCurve: CURVE.slice(0, 1) })] })]);
  assert.equal(series(early, "small-training").length, 1);
  assert.doesNotMatch(early, /data-series="small-validation"/, "no validation loss yet: no line");
  assert.match(early, /validation loss: none yet/);
  // The queued job has no curve: its own "no loss" state, next to the chart.
  assert.equal(html.match(/No loss reported yet/g)?.length, 1);
  assert.match(html, /Together status: queued/);
});

test("costs show spent and the estimate against the budget", () => {
  const html = render([pipeline()]);
  assert.match(html, /Spent <strong>\$1\.25<\/strong> of the <strong>\$25\.00<\/strong> budget/);
  assert.match(html, /Together's estimate <strong>\$3\.50<\/strong>/);
  assert.match(html, /class="budget-spent" style="width:5%"/);
  assert.match(html, /class="budget-estimate" style="left:14%"/);
  const over = render([pipeline({ costs: { budgetUsd: 2, estimatedUsd: 3, spentUsd: 0, remainingUsd: 2 } })]);
  assert.match(over, /over the budget/);
  assert.match(over, /budget-estimate over" style="left:100%"/);
});

test("the page loads nothing from anywhere: no external URL in src or href", () => {
  const done = pipeline({
    status: "completed",
    currentPhase: "completed",
    progress: 100,
    name: "see https://example.com/x",
    jobs: [job("small", { status: "completed", step: 4, totalSteps: 4, lossCurve: CURVE, outputModel: "me/small-ft" })],
  });
  for (const statusUrl of ["/selftune/status", "https://example.com/status", "//example.com/status", "/\\example.com/status", "javascript:alert(1)", " javascript:alert(1)", "\u0001javascript:alert(1)", "java\tscript:alert(1)"]) {
    const html = render([done], { statusUrl, stats: null });
    const refs = [...html.matchAll(/\b(src|href)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi)].map((m) => m[2]);
    for (const ref of refs) assert.doesNotMatch(ref, /^["']?(\s|https?:|\/\/|\/\\|javascript:)/i, statusUrl);
    if (statusUrl !== "/selftune/status") assert.doesNotMatch(html, /<a\b/, `${JSON.stringify(statusUrl)} is not linked`);
    assert.doesNotMatch(html, /<script\b|@import|url\(/i);
    // The one link is an empty inline icon, so the browser does not ask the server for /favicon.ico.
    assert.deepEqual(html.match(/<link\b[^>]*>/gi), ['<link rel="icon" href="data:,">']);
  }
  assert.match(render([done], { statusUrl: "/selftune/status" }), /<a href="\/selftune\/status">JSON status<\/a>/);
  assert.match(render([done], { statusUrl: "./status" }), /<a href="\.\/status">JSON status<\/a>/, "relative, as the plugin's route passes it");
  assert.match(render([done], { statusUrl: "https://example.com/status" }), /JSON status: <code>https:\/\/example\.com\/status<\/code>/);
});

test("the page reloads itself only while a pipeline runs", () => {
  const running = pipeline();
  const done = pipeline({ status: "completed", currentPhase: "completed", progress: 100 });
  assert.match(render([done, running]), /<meta http-equiv="refresh" content="10">/);
  assert.match(render([running], { refreshSeconds: 3 }), /<meta http-equiv="refresh" content="3">/);
  assert.doesNotMatch(render([running], { refreshSeconds: 0 }), /http-equiv/);
  assert.doesNotMatch(render([done]), /http-equiv/);
});

test("newest first; evaluation, decision and log summary are shown", () => {
  const old = pipeline({ id: "pl_old", name: "first run", status: "cancelled", currentPhase: "cancelled" });
  const fresh = pipeline({
    id: "pl_new",
    name: "second run",
    status: "completed",
    currentPhase: "completed",
    progress: 100,
    evaluations: {
      small: {
        stage: "done", reason: null, testRequests: 12, sample: [], hardware: null, centsPerMinute: null, estimatedUsd: 0.4, budgetUsd: 5, pairs: [],
        summary: { samples: 12, wins: 8, ties: 1, losses: 3, winRate: 8.5 / 12, tuned: { score: 0.81, files: 1, parses: 1, tokens: 0.5, think: null }, base: { score: 0.52, files: 1, parses: null, tokens: 0.4, think: null }, beatsBase: true },
        tokens: 1000, costUsd: 0.00002, parserAvailable: true,
      },
      large: { stage: "skipped", reason: "no test split", testRequests: 0, sample: [], hardware: null, centsPerMinute: null, estimatedUsd: 0, budgetUsd: 5, pairs: [], summary: null, tokens: 0, costUsd: 0, parserAvailable: false },
    },
    deployments: {
      small: {
        stage: "done",
        decision: { target: "local_ollama", cell: "under-3GB/low-usage", reasons: ["3.00 GB < 10 GB", "a <tiny> model"] },
        parametersBillions: 1.5, precision: "fp16", sizeGb: 3,
        cost: { usageTokensPerMonth: 100000, basis: "per_token", togetherUsdPerMonth: 12.5, hardware: undefined, centsPerMinute: undefined, runningMinutesPerMonth: 0, perTokenUsdPerMillion: 0.2, localServerUsdPerMonth: 200, breakEvenTokensPerMonth: 1_000_000_000, breakEvenCentsPerMinute: 0.46, trainingUsd: 0.005 },
        carriedOut: false, endpointName: null, endpointId: null, smokeTest: null, local: null,
        summary: "recommended: run it with Ollama",
      },
    },
  });
  const html = render([old, fresh], {
    stats: { examples: 130, duplicates: 7, byKind: { plugin: 100, mcp: 30 }, byQuality: { "1.0": 100, "0.8": 30 }, meanQuality: 0.95, files: 300, contentBytes: 123456, partitions: 3, firstCapturedAt: NOW - 86_400_000, lastCapturedAt: NOW, skippedLines: 0 },
  });
  assert.ok(html.indexOf('data-pipeline="pl_new"') < html.indexOf('data-pipeline="pl_old"'), "newest first");
  assert.match(html, /71%/, "win rate");
  assert.match(html, /skipped: no test split/);
  assert.match(html, /\$0\.000020/, "a tiny cost keeps its digits");
  assert.match(html, /Local Ollama<\/span> <code class="target-code">local_ollama<\/code>/);
  assert.match(html, /under-3GB\/low-usage/);
  assert.match(html, /a &lt;tiny&gt; model/);
  assert.match(html, /\$12\.50\/month/);
  assert.match(html, /\$200\.00\/month/);
  assert.match(html, /1,000,000,000 tokens\/month/, "break-even");
  assert.match(html, /recommended: run it with Ollama/);
  assert.match(html, /100 plugin, 30 mcp/);
  assert.match(html, /Duplicates counted<\/dt><dd>7</);
  assert.match(html, /Qualifying examples <strong>120<\/strong> of the <strong>100<\/strong> needed/);
  assert.match(html, /2025-05-06 12:00:00 UTC/);
});
