// Shared pieces of the benchmark clients (load.mjs, drain.mjs, workspace-bench.mjs): argument
// parsing helpers, error tally, the console's login flow, widget sessions, SignalR connections,
// the drift-free send schedule and the statistics/report helpers. Each benchmark keeps its own
// scenario and figures; only what was written the same way three times lives here, so a fix
// (say, to cookie parsing or to the percentile rank) reaches every benchmark at once.
// signalr-driver.mjs (used by the .NET integration tests) is deliberately independent of this file.
import * as signalR from "@microsoft/signalr";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

// ---- Arguments and small utilities --------------------------------------------------------------
// parseArgs gives strings; a typo in a number must stop the run, not measure with NaN.
export function int(v) { const n = Number.parseInt(v, 10); if (!Number.isFinite(n)) throw new Error(`Not an integer: ${v}`); return n; }
export function num(v) { const n = Number(v); if (!Number.isFinite(n)) throw new Error(`Not a number: ${v}`); return n; }
export const trimSlash = (url) => url.replace(/\/$/, "");
/**
 * parseArgs options every client takes: the visitor ramp batch, how visitors (widget site) and operators
 * (email pattern with {n}, alice's demo password copied by the shell) sign in, and the phase file
 * through which the shell's sampler learns the measurement window.
 */
export const commonOptions = (operatorEmail) => ({
  batch: { type: "string", default: "50" },
  "site-key": { type: "string", default: "demo" },
  "host-origin": { type: "string" },
  topic: { type: "string", default: "billing" },
  "operator-email": { type: "string", default: operatorEmail },
  "operator-password": { type: "string", default: "alice-demo-pass" },
  "phase-file": { type: "string" },
});
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** stderr logger "[tag hh:mm:ss] ..." (stdout is kept for the report and the JSON line). */
export const makeLog = (tag) => (...parts) => console.error(`[${tag} ${new Date().toISOString().slice(11, 19)}]`, ...parts);

// ---- Errors -------------------------------------------------------------------------------------
/**
 * Errors are counted by "phase: message" rather than thrown: one failing visitor among thousands is
 * a figure of the benchmark, not the end of it. `maxText` caps each message (keys stay readable).
 */
export function createErrorTally(maxText = 200) {
  const errors = new Map(); // "phase: message" -> count
  const errorText = (e) => String(e?.message ?? e).replace(/\s+/g, " ").slice(0, maxText);
  const noteError = (phase, e) => { const key = `${phase}: ${errorText(e)}`; errors.set(key, (errors.get(key) ?? 0) + 1); };
  const errorCount = () => [...errors.values()].reduce((s, n) => s + n, 0);
  /** For the JSON line. */
  const errorSummary = () => ({ total: errorCount(), byKind: Object.fromEntries(errors) });
  /** The report's "Errors" line, then "count x phase: message" lines, most frequent first. */
  const errorSection = (limit) => [
    `Errors         ${errorCount()}${errorCount() ? ":" : ""}`,
    ...[...errors].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, n]) => `                 ${String(n).padStart(6)} x ${k}`),
  ];
  return { errors, errorText, noteError, errorCount, errorSummary, errorSection };
}

// ---- HTTP (operators log in exactly like the console) ----------------------------------------------
/** Just enough of a cookie jar for the console's login: Set-Cookie in, one Cookie header out. */
export class CookieJar {
  cookies = new Map();
  absorb(response) {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";", 1)[0];
      const at = pair.indexOf("=");
      if (at < 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = /;\s*expires=Thu, 01 Jan 1970/i.test(line) || /;\s*max-age=0/i.test(line);
      if (expired || value === "") this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }
  get(name) { return this.cookies.get(name); }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "); }
}

/**
 * The console's cookie login: GET /api/auth/me hands out the XSRF-TOKEN cookie, which the login POST
 * must echo in X-XSRF-TOKEN (antiforgery). Returns the Cookie header for the operator hub and /api/auth/me's body.
 */
export async function operatorLogin(url, email, password) {
  const jar = new CookieJar();
  let response = await fetch(`${url}/api/auth/me`, { headers: { Accept: "application/json" } });
  jar.absorb(response);
  await response.arrayBuffer();
  const xsrf = jar.get("XSRF-TOKEN");
  if (!xsrf) throw new Error(`GET /api/auth/me gave no XSRF-TOKEN cookie (status ${response.status})`);
  response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-XSRF-TOKEN": decodeURIComponent(xsrf), Cookie: jar.header() },
    body: JSON.stringify({ email, password }),
  });
  jar.absorb(response);
  const body = await response.text();
  if (!response.ok) throw new Error(`login ${email}: ${response.status} ${body.slice(0, 200)}`);
  return { cookie: jar.header(), me: JSON.parse(body) };
}

/** A visitor's widget session (its visitorToken opens the visitor hub), as the embedded widget gets it. */
export async function widgetSession(url, siteKey, hostOrigin) {
  const response = await fetch(`${url}/api/widget/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ siteKey, hostOrigin }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`POST /api/widget/session: ${response.status} ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** WebSockets only: no negotiation fallback, so a transport problem shows up as an error, not as long polling. */
export function buildConnection(url, path, options, logLevel = signalR.LogLevel.Warning) {
  return new signalR.HubConnectionBuilder()
    .withUrl(`${url}${path}`, { transport: signalR.HttpTransportType.WebSockets, ...options })
    .configureLogging(logLevel)
    .build();
}

/** Stops every client's connection, but waits at most 10 s: the report is already printed. */
export async function stopConnections(clients) {
  await Promise.race([Promise.allSettled(clients.map((c) => c.conn?.stop())), sleep(10_000)]);
}

// ---- Ramp-up and schedule -----------------------------------------------------------------------
/**
 * start(0..total-1), `size` at a time: logins hash passwords and StartChat routes, so all at once would
 * measure the pile-up rather than the server. onBatch(results, started, batchIndex) runs after each batch.
 */
export async function inBatches(total, size, start, onBatch = () => {}) {
  for (let i = 0, b = 0; i < total; i += size, b++) {
    const results = await Promise.all(Array.from({ length: Math.min(size, total - i) }, (_, k) => start(i + k)));
    onBatch(results, Math.min(i + size, total), b);
  }
}
/**
 * Waits (at most `ms`) until every visitor that has a chat is assigned and the owning operator has been
 * told (convOwner: conversationId -> operator, filled from the operators' ChatAssigned); returns those ready.
 */
export async function waitAssigned(list, convOwner, ms) {
  const until = performance.now() + ms;
  const ready = () => list.filter((v) => v.open && v.conversationId && v.assigned && convOwner.has(v.conversationId));
  while (ready().length < list.filter((v) => v.open && v.conversationId).length && performance.now() < until) await sleep(100);
  return ready();
}

/** Progress logs: every fifth batch and the last one. */
export const everyFifthOrLast = (started, total, batchIndex) => batchIndex % 5 === 4 || started >= total;

/** In-place Fisher-Yates shuffle, so consecutive calls go to different conversations and operators. */
export function shuffle(list) {
  for (let i = list.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [list[i], list[j]] = [list[j], list[i]]; }
  return list;
}

/**
 * Drift-free schedule: call k is due at start + k * stepMs, whatever happened before, so a slow turn of
 * the event loop is caught up at once instead of lowering the rate. fire(k, due) sends call k.
 * Resolves with the largest lateness seen (ms): the client's own share of the latency.
 */
export function runSchedule(total, stepMs, start, fire) {
  let next = 0, maxLag = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * stepMs <= now) {
        const due = start + next * stepMs;
        maxLag = Math.max(maxLag, now - due);
        fire(next++, due);
      }
      if (next >= total) return resolve(maxLag);
      setTimeout(tick, Math.max(0, start + next * stepMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
}

/** The measurement window for the shell's resource sampler (sourced by bash: epoch seconds). */
export function writeMeasureWindow(phaseFile, startEpoch) {
  if (phaseFile) writeFileSync(phaseFile, `measure_start=${startEpoch.toFixed(0)}\nmeasure_end=${(Date.now() / 1000).toFixed(0)}\n`);
}

// ---- Statistics and report ----------------------------------------------------------------------
export const round = (x, digits = 1) => (x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/**
 * Nearest-rank percentiles (p = the value at rank ceil(p% of n)), rounded to `digits`; `withMin` adds
 * the minimum (the drain's curve starts at its first assignment). Empty input gives nulls, not NaN.
 */
export function percentiles(values, { digits = 1, withMin = false } = {}) {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  const r = (x) => round(x, digits);
  return {
    count: sorted.length, ...(withMin ? { min: r(sorted[0]) } : {}),
    p50: r(at(50)), p95: r(at(95)), p99: r(at(99)), max: r(sorted[sorted.length - 1]), mean: r(mean),
  };
}
export const fmt = (s) => (s.count ? `p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms (n=${s.count})` : "n/a");

/** Event-loop delay of this client (ms): when it is high, measured latencies include the client's own delay. */
export const loopDelayMs = (histogram) => ({ p50: round(histogram.percentile(50) / 1e6), p99: round(histogram.percentile(99) / 1e6), max: round(histogram.max / 1e6) });
/** CPU used by this process over a window, in % of one core (process.cpuUsage() difference, ms window). */
export const cpuPercent = (cpu, windowMs) => round(((cpu.user + cpu.system) / 1000 / windowMs) * 100, 0);
export const rssMB = () => round(process.memoryUsage().rss / 2 ** 20, 0);
/**
 * The report's "Client" line from result.client. Above 20 ms of event-loop delay p99 the client itself
 * was a bottleneck, which the reader must know before trusting `measured` (latencies, times).
 */
export const clientLine = (client, { during = "", measured = "latencies" } = {}) => {
  const loop = client.eventLoopDelayMs;
  return `Client         CPU ${client.cpuPercent}% of one core${during}, event-loop delay p50 ${loop.p50} ms / p99 ${loop.p99} ms / max ${loop.max} ms, RSS ${client.rssMB} MB` +
    (loop.p99 > 20 ? `  (client event loop was busy: ${measured} include client-side delay)` : "");
};
export const elapsedSeconds = (started) => round((performance.now() - started) / 1000, 1);

/** Goals carry PASS/MISS rather than failing the run: a missed goal is a result, not a broken benchmark. */
export const withStatus = (goals) => goals.map((g) => ({ ...g, status: g.pass ? "PASS" : "MISS" }));
export const goalLines = (goals, width) => goals.map((g) => `  ${g.status.padEnd(4)}  ${g.goal.padEnd(width)} measured: ${g.value}`);
