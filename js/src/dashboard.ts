// The offline training dashboard: one self-contained HTML page (inline CSS and SVG, no script, no
// external asset) built from pipeline statuses, for the plugin's public route. Everything that
// comes from data is escaped: pipeline names, model names, errors and reasons can be user content.
import type {
  CostAnalysis,
  DataStats,
  DeploymentRecord,
  EvaluationRecord,
  JobStatusView,
  LogStats,
  LossPoint,
  PipelineCosts,
  PipelineStatus,
} from "./core.js";

export interface DashboardData {
  /** Shown in the title, e.g. the agent's name. */
  title?: string;
  /** When the page was rendered, in ms since the epoch. */
  generatedAt: number;
  /** Newest last, as `listPipelines()` returns them; the page shows them newest first. */
  pipelines: PipelineStatus[];
  /** The example log's summary (null when unavailable). */
  stats: LogStats | null;
  /** Link to the JSON status route, shown on the page, e.g. "/selftune/status". */
  statusUrl?: string;
  /** Seconds between automatic reloads while a pipeline runs (default 10; 0 = never). */
  refreshSeconds?: number;
}

const DASH = "–";

/** Renders the whole page. Pure: the same data gives the same HTML. */
export function renderDashboard(data: DashboardData): string {
  const title = data.title ? `selftune · ${data.title}` : "selftune";
  const pipelines = [...(data.pipelines ?? [])].reverse();
  const refresh = refreshSeconds(data);
  const body = [
    renderHeader(title, data, pipelines),
    renderLogStats(data.stats),
    pipelines.length === 0 ? renderEmptyState() : pipelines.map(renderPipeline).join("\n"),
  ].join("\n");
  // The empty inline icon keeps the browser from asking the server for /favicon.ico.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
${refresh > 0 ? `<meta http-equiv="refresh" content="${refresh}">\n` : ""}<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------
// Formatting and escaping

/** Escapes text for element content and quoted attribute values alike. */
function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function isNum(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function num(value: unknown, digits = 0): string {
  if (!isNum(value)) return DASH;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Dollars; amounts under a cent (a small fine-tune or evaluation) keep two significant digits. */
function usd(value: unknown): string {
  if (!isNum(value)) return DASH;
  const abs = Math.abs(value);
  const digits = abs !== 0 && abs < 0.01 ? Math.min(6, Math.ceil(-Math.log10(abs)) + 1) : 2;
  const text = abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${value < 0 ? "-" : ""}$${text}`;
}

function percent(fraction: unknown): string {
  return isNum(fraction) ? `${Math.round(fraction * 100)}%` : DASH;
}

function loss(value: unknown): string {
  return num(value, 3);
}

/** UTC, to the second: the page may be read far from the agent's timezone. */
function time(ms: unknown): string {
  if (!isNum(ms)) return DASH;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return DASH;
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A width in percent for a bar, within 0..100; a non-zero amount stays visible. */
function share(part: unknown, whole: unknown): number {
  if (!isNum(part) || !isNum(whole) || whole <= 0 || part <= 0) return 0;
  return Number(Math.min(100, Math.max(0.75, (part / whole) * 100)).toFixed(2));
}

function refreshSeconds(data: DashboardData): number {
  const seconds = data.refreshSeconds ?? 10;
  if (!isNum(seconds) || seconds <= 0) return 0;
  const running = (data.pipelines ?? []).some((p) => p.status === "running");
  return running ? Math.max(1, Math.round(seconds)) : 0;
}

const STATUSES = new Set(["running", "completed", "failed", "cancelled"]);

/** A badge whose class comes from a fixed set (data never reaches a class name). */
function badge(status: string | null | undefined): string {
  const known = status && STATUSES.has(status) ? status : "other";
  return `<span class="badge badge-${known}">${esc(status ?? "not started")}</span>`;
}

function section(heading: string, content: string, cls = ""): string {
  return `<section class="block ${cls}"><h3>${heading}</h3>${content}</section>`;
}

function table(headings: string[], rows: string[][], cls = ""): string {
  const head = headings.map((h) => `<th scope="col">${h}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<div class="scroll"><table class="${cls}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

// ---------------------------------------------------------------------------------------------
// Page header, log summary, empty state

function renderHeader(title: string, data: DashboardData, pipelines: PipelineStatus[]): string {
  const counts = new Map<string, number>();
  for (const p of pipelines) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
  const summary = pipelines.length === 0
    ? "no pipelines yet"
    : `${pipelines.length} pipeline${pipelines.length === 1 ? "" : "s"}: ${[...counts].map(([s, n]) => `${n} ${esc(s)}`).join(", ")}`;
  const refresh = refreshSeconds(data);
  const meta = [
    `rendered ${esc(time(data.generatedAt))}`,
    summary,
    refresh > 0 ? `reloads every ${refresh} s while a pipeline runs` : "",
    statusLink(data.statusUrl),
  ].filter(Boolean);
  return `<header class="page-head"><h1>${esc(title)}</h1><p class="muted">${meta.join(" · ")}</p></header>`;
}

/**
 * Only a reference on this server becomes a link (`/selftune/status`, `./status`): the page must
 * point nowhere else. That rules out a scheme (a colon before any `/`, `?` or `#`; `javascript:`
 * too), `//host` and backslashes (browsers read `/\host` as another host), and whitespace or
 * control characters, which browsers strip before reading a scheme.
 */
function statusLink(url: string | undefined): string {
  if (!url) return "";
  const local = !/[\s\\\u0000-\u001f\u007f]/.test(url) && !url.startsWith("//") && !/^[^/?#]*:/.test(url);
  return local ? `<a href="${esc(url)}">JSON status</a>` : `JSON status: <code>${esc(url)}</code>`;
}

function renderLogStats(stats: LogStats | null): string {
  if (!stats) return section("Example log", `<p class="muted">The example log's summary is unavailable.</p>`, "log-stats");
  const kinds = Object.entries(stats.byKind ?? {}).map(([k, n]) => `${num(n)} ${esc(k)}`).join(", ") || DASH;
  const quality = Object.entries(stats.byQuality ?? {})
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([q, n]) => `${num(n)} at ${esc(q)}`)
    .join(", ") || DASH;
  const items: [string, string][] = [
    ["Examples", num(stats.examples)],
    ["By kind", kinds],
    ["Duplicates counted", num(stats.duplicates)],
    ["Mean quality", num(stats.meanQuality, 2)],
    ["By quality", quality],
    ["Files", `${num(stats.files)} (${num(stats.contentBytes)} bytes)`],
    ["Captured", `${esc(time(stats.firstCapturedAt))} → ${esc(time(stats.lastCapturedAt))}`],
  ];
  if (isNum(stats.skippedLines) && stats.skippedLines > 0) items.push(["Unreadable lines skipped", num(stats.skippedLines)]);
  return section("Example log", definitionList(items), "log-stats");
}

function definitionList(items: [string, string][]): string {
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join("")}</dl>`;
}

function renderEmptyState(): string {
  return `<section class="card empty"><h2>No training pipelines yet</h2>
<p>Start one from a configuration file with <code>selftune launch --config FILE</code>, or ask the agent
through the plugin's start action. Its progress, losses, costs, evaluation and deployment decision will
show here.</p></section>`;
}

// ---------------------------------------------------------------------------------------------
// One pipeline

function renderPipeline(p: PipelineStatus): string {
  return `<article class="card pipeline" data-pipeline="${esc(p.id)}">
${renderPipelineHead(p)}
${section("Jobs", renderJobs(p.jobs ?? []), "jobs")}
${section("Loss", `<div class="charts">${(p.jobs ?? []).map(renderLossChart).join("\n")}</div>`, "loss")}
<div class="two">
${section("Costs against budget", renderCosts(p.costs), "costs")}
${section("Dataset", renderData(p.data), "data")}
</div>
${section("Evaluation against the base models", renderEvaluations(p.evaluations ?? {}), "evaluation")}
${section("Deployment decision", renderDeployments(p.deployments ?? {}), "deployment")}
</article>`;
}

function renderPipelineHead(p: PipelineStatus): string {
  const progress = isNum(p.progress) ? Math.min(100, Math.max(0, p.progress)) : 0;
  const times = [
    `created ${esc(time(p.createdAt))}`,
    `updated ${esc(time(p.updatedAt))}`,
    p.finishedAt != null ? `finished ${esc(time(p.finishedAt))}` : "",
  ].filter(Boolean).join(" · ");
  const error = p.lastError
    ? `<p class="error" role="alert"><strong>${esc(p.lastError.code)}</strong>: ${esc(p.lastError.message)} <span class="muted">(${esc(time(p.lastError.at))})</span></p>`
    : "";
  return `<header class="pipeline-head">
<h2>${esc(p.name)} ${badge(p.status)}</h2>
<p class="muted"><code>${esc(p.id)}</code> · phase <strong class="phase">${esc(p.currentPhase)}</strong> · ${times}</p>
<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${progress}">
<div class="progress-fill progress-${STATUSES.has(p.status) ? p.status : "other"}" style="width:${progress}%"></div>
<span class="progress-label">${isNum(p.progress) ? `${Math.round(progress)}%` : DASH}</span></div>
${error}
</header>`;
}

function renderJobs(jobs: JobStatusView[]): string {
  if (jobs.length === 0) return `<p class="muted">No jobs yet.</p>`;
  const rows = jobs.map((job) => {
    const note = job.error ?? (job.cancelReason ? `cancelled: ${job.cancelReason}` : null);
    return [
      `<strong>${esc(job.slot)}</strong>`,
      `<span class="id">${esc(job.model)}</span>`,
      `${badge(job.status)}${note ? `<div class="error small">${esc(note)}</div>` : ""}`,
      `${num(job.step)} / ${num(job.totalSteps)}`,
      loss(job.trainingLoss),
      loss(job.validationLoss),
      usd(job.spentUsd),
      job.outputModel ? `<span class="id">${esc(job.outputModel)}</span>` : DASH,
    ];
  });
  return table(["Slot", "Base model", "Together status", "Step", "Training loss", "Validation loss", "Spent", "Output model"], rows, "jobs-table");
}

// ---------------------------------------------------------------------------------------------
// Loss chart: one inline SVG per job, training and validation loss against the step.

const CHART = { width: 560, height: 220, left: 52, right: 16, top: 14, bottom: 38 };

interface Series {
  key: "training" | "validation";
  label: string;
  points: { step: number; value: number }[];
}

function lossSeries(curve: LossPoint[]): Series[] {
  const pick = (field: "trainingLoss" | "validationLoss") =>
    (curve ?? [])
      .filter((p) => isNum(p?.step) && isNum(p[field]))
      .map((p) => ({ step: p.step, value: p[field] as number }));
  return [
    { key: "training", label: "training loss", points: pick("trainingLoss") },
    { key: "validation", label: "validation loss", points: pick("validationLoss") },
  ];
}

function renderLossChart(job: JobStatusView): string {
  const series = lossSeries(job.lossCurve);
  const heading = `<h4>${esc(job.slot)} <span class="muted">· ${esc(job.model)}</span></h4>`;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    const why = job.status ? `Together status: ${esc(job.status)}` : "the job has not started";
    return `<figure class="chart" data-job="${esc(job.slot)}">${heading}<div class="no-loss">No loss reported yet <span class="muted">(${why})</span></div></figure>`;
  }
  const maxStep = Math.max(1, ...all.map((p) => p.step), isNum(job.totalSteps) ? job.totalSteps : 0);
  const minValue = Math.min(0, ...all.map((p) => p.value));
  const maxValue = Math.max(...all.map((p) => p.value));
  const x = axis(0, maxStep, 6, true);
  const y = axis(minValue, maxValue > minValue ? maxValue : minValue + 1, 5, false);
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const px = (step: number) => fixed(CHART.left + ((step - x.min) / (x.max - x.min)) * plotW);
  const py = (value: number) => fixed(CHART.top + plotH - ((value - y.min) / (y.max - y.min)) * plotH);
  const slot = esc(job.slot);
  // A series with no point yet (validation runs every few steps) is left out, not drawn empty.
  const lines = series.filter((s) => s.points.length > 0).map((s) => {
    const points = s.points.map((p) => `${px(p.step)},${py(p.value)}`).join(" ");
    const markers = s.points.map((p) => `<circle cx="${px(p.step)}" cy="${py(p.value)}" r="2.5"/>`).join("");
    return `<polyline class="line line-${s.key}" data-series="${slot}-${s.key}" data-points="${s.points.length}" points="${points}"/><g class="markers marker-${s.key}">${markers}</g>`;
  });
  const svg = `<svg class="loss-chart" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${slot}: training and validation loss by step">
<title>${slot}: training and validation loss by step</title>
${gridAndAxes(x, y, px, py)}
${lines.join("\n")}
</svg>`;
  return `<figure class="chart" data-job="${slot}">${heading}${svg}${legend(series, job)}</figure>`;
}

interface Axis {
  min: number;
  max: number;
  ticks: number[];
  digits: number;
}

/** A "nice" axis (steps of 1, 2 or 5 times a power of ten) covering min..max. */
function axis(min: number, max: number, count: number, integer: boolean): Axis {
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  let step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  if (integer) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
  const digits = integer ? 0 : Math.max(0, -Math.floor(Math.log10(step)));
  return { min: lo, max: hi > lo ? hi : lo + step, ticks, digits };
}

/** A coordinate with one decimal; anything non-finite collapses to 0 so no NaN reaches the SVG. */
function fixed(value: number): string {
  return isNum(value) ? value.toFixed(1) : "0";
}

function gridAndAxes(x: Axis, y: Axis, px: (v: number) => string, py: (v: number) => string): string {
  const bottom = CHART.height - CHART.bottom;
  const right = CHART.width - CHART.right;
  const yTicks = y.ticks.map((v) =>
    `<line class="grid" x1="${CHART.left}" x2="${right}" y1="${py(v)}" y2="${py(v)}"/><text class="tick" x="${CHART.left - 6}" y="${py(v)}" text-anchor="end" dominant-baseline="middle">${v.toFixed(y.digits)}</text>`);
  const xTicks = x.ticks.map((v) =>
    `<line class="tick-mark" x1="${px(v)}" x2="${px(v)}" y1="${bottom}" y2="${bottom + 4}"/><text class="tick" x="${px(v)}" y="${bottom + 16}" text-anchor="middle">${v.toFixed(0)}</text>`);
  return `<g class="axes">${yTicks.join("")}${xTicks.join("")}
<line class="axis" x1="${CHART.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>
<line class="axis" x1="${CHART.left}" x2="${CHART.left}" y1="${CHART.top}" y2="${bottom}"/>
<text class="axis-label" x="${(CHART.left + right) / 2}" y="${CHART.height - 4}" text-anchor="middle">step</text>
<text class="axis-label" x="12" y="${(CHART.top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(CHART.top + bottom) / 2})">loss</text></g>`;
}

function legend(series: Series[], job: JobStatusView): string {
  const items = series.map((s) => {
    const last = s.points.at(-1);
    const value = last ? `${loss(last.value)} at step ${num(last.step)}` : "none yet";
    return `<li><span class="swatch swatch-${s.key}"></span>${s.label}: ${value}</li>`;
  });
  items.push(`<li class="muted">step ${num(job.step)} of ${num(job.totalSteps)}</li>`);
  return `<figcaption><ul class="legend">${items.join("")}</ul></figcaption>`;
}

// ---------------------------------------------------------------------------------------------
// Costs and data

function renderCosts(costs: PipelineCosts | undefined): string {
  if (!costs) return `<p class="muted">No cost figures.</p>`;
  const over = isNum(costs.estimatedUsd) && isNum(costs.budgetUsd) && costs.estimatedUsd > costs.budgetUsd;
  const estimate = share(costs.estimatedUsd, costs.budgetUsd);
  const bar = `<div class="budget" aria-hidden="true">
<div class="budget-spent" style="width:${share(costs.spentUsd, costs.budgetUsd)}%"></div>
${estimate > 0 ? `<div class="budget-estimate${over ? " over" : ""}" style="left:${estimate}%"></div>` : ""}</div>`;
  const text = `<p class="budget-text">Spent <strong>${usd(costs.spentUsd)}</strong> of the <strong>${usd(costs.budgetUsd)}</strong> budget
· Together's estimate <strong>${usd(costs.estimatedUsd)}</strong>${over ? ` <span class="error">(over the budget)</span>` : ""}
· remaining ${usd(costs.remainingUsd)}</p>`;
  const key = `<ul class="legend"><li><span class="swatch swatch-spent"></span>spent on training</li><li><span class="swatch swatch-estimate"></span>Together's estimate</li></ul>`;
  return `${bar}${text}${key}`;
}

function renderData(data: DataStats | undefined): string {
  if (!data) return `<p class="muted">No dataset figures yet.</p>`;
  const enough = isNum(data.qualifyingExamples) && isNum(data.minDataPoints) && data.qualifyingExamples >= data.minDataPoints;
  const head = `<p>Qualifying examples <strong>${num(data.qualifyingExamples)}</strong> of the <strong>${num(data.minDataPoints)}</strong> needed
${enough ? `<span class="ok">enough</span>` : `<span class="warn">not yet enough</span>`}</p>`;
  const profiles = Object.entries(data.profiles ?? {}).sort(([a], [b]) => profileOrder(a) - profileOrder(b));
  if (profiles.length === 0) return `${head}<p class="muted">The datasets are not built yet.</p>`;
  const rows = profiles.map(([name, p]) => [
    `<strong>${esc(name)}</strong>`, num(p.train), num(p.validation), num(p.test), num(p.tokens), num(p.maxLineTokens), usd(p.estimatedUsd),
  ]);
  return `${head}${table(["Profile", "Train", "Validation", "Test", "Tokens", "Longest line", "Estimate"], rows)}`;
}

/** `small` before `large`, like the jobs; other names after them. */
function profileOrder(name: string): number {
  const i = ["small", "large"].indexOf(name);
  return i < 0 ? 2 : i;
}

// ---------------------------------------------------------------------------------------------
// Evaluation and deployment

function renderEvaluations(evaluations: Record<string, EvaluationRecord>): string {
  const slots = Object.keys(evaluations).sort((a, b) => profileOrder(a) - profileOrder(b));
  if (slots.length === 0) return `<p class="muted">Not evaluated yet: each model is compared with its base once it is trained.</p>`;
  const rows = slots.map((slot) => {
    const e = evaluations[slot]!;
    const s = e.summary;
    const stage = e.stage === "done" ? esc(e.stage) : `${esc(e.stage)}${e.reason ? `: ${esc(e.reason)}` : ""}`;
    if (!s) return [`<strong>${esc(slot)}</strong>`, stage, DASH, DASH, DASH, DASH, DASH, usd(e.costUsd)];
    const verdict = s.beatsBase ? `<span class="ok">beats its base</span>` : `<span class="warn">does not beat its base</span>`;
    return [
      `<strong>${esc(slot)}</strong>`,
      stage,
      `<span class="win-rate">${percent(s.winRate)}</span> ${verdict}`,
      num(s.samples),
      `${num(s.wins)} / ${num(s.ties)} / ${num(s.losses)}`,
      num(s.tuned?.score, 3),
      num(s.base?.score, 3),
      usd(e.costUsd),
    ];
  });
  return table(["Slot", "Stage", "Win rate", "Samples", "Wins / ties / losses", "Tuned score", "Base score", "Cost"], rows, "eval-table");
}

const TARGETS: Record<string, string> = {
  local_ollama: "Local Ollama",
  local_gpu: "Local GPU server",
  together: "Together endpoint",
  none: "Not deployed",
};

function renderDeployments(deployments: Record<string, DeploymentRecord>): string {
  const slots = Object.keys(deployments).sort((a, b) => profileOrder(a) - profileOrder(b));
  if (slots.length === 0) return `<p class="muted">No decision yet: it is made once the evaluation is done.</p>`;
  return `<div class="decisions">${slots.map((slot) => renderDecision(slot, deployments[slot]!)).join("\n")}</div>`;
}

function renderDecision(slot: string, d: DeploymentRecord): string {
  const target = d.decision?.target ?? "none";
  const known = Object.hasOwn(TARGETS, target);
  const reasons = (d.decision?.reasons ?? []).map((r) => `<li>${esc(r)}</li>`).join("");
  const size = isNum(d.sizeGb) ? `${num(d.sizeGb, 1)} GB (${esc(d.precision)})` : DASH;
  const done = d.carriedOut ? `<span class="ok">carried out</span>` : `<span class="muted">recommended only</span>`;
  const facts: [string, string][] = [
    ["Matrix cell", `<code>${esc(d.decision?.cell)}</code>`],
    ["Model size", size],
    ...renderCostFacts(d.cost),
  ];
  if (d.endpointName) facts.push(["Endpoint", `<span class="id">${esc(d.endpointName)}</span>`]);
  const commands = d.local?.commands?.length
    ? `<details><summary>${d.local.commands.length} commands to run locally</summary><pre>${d.local.commands.map(esc).join("\n")}</pre></details>`
    : "";
  return `<div class="decision" data-slot="${esc(slot)}">
<h4>${esc(slot)}: <span class="target target-${known ? target : "none"}">${esc(known ? TARGETS[target] : target)}</span> <code class="target-code">${esc(target)}</code> ${done}</h4>
<p class="summary">${esc(d.summary)}</p>
${definitionList(facts)}
${reasons ? `<ul class="reasons">${reasons}</ul>` : ""}
${commands}
</div>`;
}

function renderCostFacts(cost: CostAnalysis | undefined): [string, string][] {
  if (!cost) return [];
  const together = isNum(cost.togetherUsdPerMonth) ? `${usd(cost.togetherUsdPerMonth)}/month` : "no price known";
  const basis = cost.basis === "dedicated" && cost.hardware
    ? ` (dedicated ${esc(cost.hardware)}, ${num(cost.centsPerMinute, 2)} ¢/min)`
    : cost.basis === "per_token" ? ` (${usd(cost.perTokenUsdPerMillion)} per million tokens)` : "";
  const breakEven = isNum(cost.breakEvenTokensPerMonth)
    ? `${num(cost.breakEvenTokensPerMonth)} tokens/month`
    : `${num(cost.breakEvenCentsPerMinute, 2)} ¢/min for a dedicated endpoint`;
  return [
    ["Usage", `${num(cost.usageTokensPerMonth)} tokens/month`],
    ["Together", `${together}${basis}`],
    ["Local server", `${usd(cost.localServerUsdPerMonth)}/month`],
    ["Break-even", breakEven],
    ["Training cost", usd(cost.trainingUsd)],
  ];
}

// ---------------------------------------------------------------------------------------------

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2330;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 16px 40px}
p,li{overflow-wrap:break-word}
h1{font-size:1.6rem;margin:0 0 4px}
h2{font-size:1.3rem;margin:0 0 4px;overflow-wrap:anywhere}
h3{font-size:1rem;margin:0 0 8px;color:#39414f}
h4{font-size:.95rem;margin:0 0 6px;overflow-wrap:anywhere}
code,pre,.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
pre{white-space:pre-wrap;background:#f4f5f7;padding:8px;border-radius:6px}
.muted{color:#5f6b7a}
.small{font-size:.85em}
.page-head{margin-bottom:14px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:10px;padding:16px;margin:0 0 18px}
.block{background:#fff;border:1px solid #dde1e7;border-radius:10px;padding:14px 16px;margin:0 0 14px}
.pipeline .block{border:0;border-top:1px solid #e7eaef;border-radius:0;padding:14px 0 4px;margin:0}
.empty{text-align:center;padding:36px 20px}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:2px 8px;border-radius:999px;vertical-align:middle;background:#e7eaef;color:#39414f}
.badge-running{background:#dbeafe;color:#1e40af}
.badge-completed{background:#dcfce7;color:#166534}
.badge-failed{background:#fee2e2;color:#991b1b}
.badge-cancelled{background:#fef3c7;color:#92400e}
.progress{position:relative;height:22px;background:#e7eaef;border-radius:6px;overflow:hidden;margin:10px 0 4px}
.progress-fill{height:100%;background:#3b82f6}
.progress-completed{background:#22c55e}.progress-failed{background:#ef4444}.progress-cancelled{background:#f59e0b}
.progress-label{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;font-weight:600;font-size:.85rem}
.error{color:#b91c1c;overflow-wrap:anywhere}
.ok{color:#15803d;font-weight:600}
.warn{color:#b45309;font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}
th{font-weight:600;color:#5f6b7a;white-space:nowrap}
.jobs-table .id{display:inline-block;max-width:26ch}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}
.chart{margin:0;min-width:0}
.loss-chart{width:100%;height:auto;display:block}
.loss-chart .grid{stroke:#eef0f3}
.loss-chart .axis,.loss-chart .tick-mark{stroke:#8a94a3}
.loss-chart .tick{font-size:11px;fill:#5f6b7a}
.loss-chart .axis-label{font-size:11px;fill:#39414f}
.line{fill:none;stroke-width:2.25;stroke-linejoin:round;stroke-linecap:round}
.line-training{stroke:#2563eb}
.line-validation{stroke:#ea580c;stroke-dasharray:6 4}
.marker-training{fill:#2563eb}.marker-validation{fill:#ea580c}
.no-loss{display:flex;align-items:center;justify-content:center;flex-wrap:wrap;gap:6px;min-height:140px;border:1px dashed #c7cdd6;border-radius:8px;color:#39414f;text-align:center;padding:12px}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:6px 0 0;font-size:.85rem}
.swatch{display:inline-block;width:18px;height:4px;border-radius:2px;vertical-align:middle;margin-right:6px}
.swatch-training{background:#2563eb}
.swatch-validation{background:repeating-linear-gradient(90deg,#ea580c 0 6px,transparent 6px 9px)}
.swatch-spent{background:#16a34a;height:10px}
.swatch-estimate{background:#1d2330;width:3px;height:14px}
.two{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:0 24px}
.budget{position:relative;height:18px;background:#e7eaef;border-radius:6px;margin:4px 0 8px}
.budget-spent{height:100%;background:#16a34a;border-radius:6px 0 0 6px}
.budget-estimate{position:absolute;top:-3px;bottom:-3px;width:3px;margin-left:-1.5px;background:#1d2330}
.budget-estimate.over{background:#b91c1c}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px 16px;margin:0}
.facts div{min-width:0}
.facts dt{font-size:.78rem;color:#5f6b7a;text-transform:uppercase;letter-spacing:.03em}
.facts dd{margin:0;overflow-wrap:anywhere}
.decisions{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px}
.decision{border:1px solid #e7eaef;border-radius:8px;padding:12px;min-width:0;overflow-wrap:anywhere}
.target{font-weight:700}
.target-local_ollama,.target-local_gpu{color:#15803d}
.target-together{color:#1d4ed8}
.target-none{color:#5f6b7a}
.reasons{margin:10px 0 0;padding-left:20px;font-size:.9rem}
.summary{margin:4px 0 10px}
details{margin-top:8px;font-size:.9rem}
@media (max-width:900px){.two{grid-template-columns:minmax(0,1fr)}}
@media (max-width:520px){main{padding:12px 8px}.card{padding:12px}.charts,.two,.decisions{grid-template-columns:minmax(0,1fr)}}
`;
