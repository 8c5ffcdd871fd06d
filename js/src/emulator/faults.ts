// Fault injection, per route. A rule names a route as "METHOD /path", with `{name}` or `:name`
// for one path segment, a trailing `*` for any rest, and `*` for any method: "GET /files/{id}",
// "POST /fine-tunes", "* /endpoints*". Rules apply in the order they were added; each applies
// `times` times (default: always).

export type FaultRule =
  | {
      route: string;
      /** Answer with this status and Together's error body instead of handling the request. */
      kind: "status";
      status: number;
      /** `retry-after` header: seconds, or an HTTP date. */
      retryAfter?: number | string;
      /** `retry-after-ms` header. */
      retryAfterMs?: number;
      message?: string;
      times?: number;
    }
  | {
      route: string;
      /** Wait this long, then handle the request normally. */
      kind: "slow";
      delayMs: number;
      times?: number;
    }
  | {
      route: string;
      /** Close the connection without answering. */
      kind: "drop";
      times?: number;
    }
  | {
      route: string;
      /** Handle normally, then report this `status` (default `model_downloading`, which Together
       * really sent although its enum lacks it) in the answer and in every job it lists. */
      kind: "unknown-status";
      value?: string;
      times?: number;
    };

export const FAULT_KINDS = ["status", "slow", "drop", "unknown-status"] as const;

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  method: string;
  pattern: RegExp;
}

export class Faults {
  private rules: ActiveRule[] = [];

  add(rules: FaultRule | FaultRule[]): void {
    for (const rule of Array.isArray(rules) ? rules : [rules]) {
      this.rules.push(compile(rule));
    }
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still in force, with how many times each will still apply (null in JSON: always). */
  list(): Array<FaultRule & { remaining: number }> {
    this.rules = this.rules.filter((active) => active.remaining > 0);
    return this.rules.map(({ rule, remaining }) => ({ ...rule, remaining }));
  }

  /** The fault to apply to this request, if any (and counts it as applied). */
  take(method: string, path: string): FaultRule | undefined {
    for (const active of this.rules) {
      if (active.remaining <= 0) continue;
      if (active.method !== "*" && active.method !== method) continue;
      if (!active.pattern.test(path)) continue;
      active.remaining -= 1;
      return active.rule;
    }
    return undefined;
  }
}

function compile(rule: FaultRule): ActiveRule {
  if (typeof rule !== "object" || rule === null) throw new TypeError("a fault rule must be an object");
  if (!(FAULT_KINDS as readonly string[]).includes(rule.kind)) {
    throw new TypeError(`unknown fault kind '${String((rule as { kind?: unknown }).kind)}' (known: ${FAULT_KINDS.join(", ")})`);
  }
  const match = /^(\*|[A-Z]+)\s+(\/\S*)$/.exec(String(rule.route ?? "").trim());
  if (!match) throw new TypeError(`a fault route looks like "GET /files/{id}" (got '${String(rule.route)}')`);
  if (rule.kind === "status" && !(Number.isInteger(rule.status) && rule.status >= 400 && rule.status <= 599)) {
    throw new TypeError("a status fault needs a status from 400 to 599");
  }
  if (rule.kind === "slow" && !(Number.isFinite(rule.delayMs) && rule.delayMs >= 0)) {
    throw new TypeError("a slow fault needs delayMs");
  }
  const times = rule.times ?? Number.POSITIVE_INFINITY;
  if (!(times > 0)) throw new TypeError("times must be at least 1");
  const [, method, path] = match;
  let source = "";
  const wildcard = path.endsWith("*");
  for (const segment of (wildcard ? path.slice(0, -1) : path).split("/")) {
    if (source !== "" || segment !== "") source += "/";
    if (/^(\{[^}]+\}|:\w+)$/.test(segment)) source += "[^/]+";
    else source += segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  if (source.endsWith("/") && wildcard) source = source.slice(0, -1) + "(?:/.*)?";
  const pattern = new RegExp(`^${source}${wildcard ? ".*" : ""}$`);
  return { rule, remaining: times, method, pattern };
}
