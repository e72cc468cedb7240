// ChatDesk operator-workspace benchmarks (issue 4), on the official @microsoft/signalr client.
//
//   --mode typing   Typing-preview delivery: V visitors type at once, each in a chat with one of M
//                   operators. Every visitor calls Typing(draft) every `interval` ms (one drift-free
//                   global schedule, visitors evenly spread over the interval) with a growing draft that
//                   ends with "[wsb <id> <performance.now() at send>]"; operators receive
//                   "VisitorTyping"({ conversationId, draft, at }). Latency = operator receive - send
//                   (both performance.now() in this process). Reported: p50/p95/p99/max, events/s, lost
//                   (acknowledged but never received after the drain), misrouted, duplicates, errors,
//                   and a split of the latency at the server's `at` stamp (same machine clock).
//                   Goal: p99 < 150 ms.
//   --mode answers  Answer-library search: one operator with one assigned chat calls
//                   SuggestAnswers(conversationId, query) sequentially, `calls` times, over a mix of
//                   queries (shortcut prefixes, word prefixes, two-word queries, accented and unaccented
//                   spellings, "" = most used); round trip measured from the client. Also checks that
//                   accented and unaccented spellings give the same suggestions, and times
//                   GET /api/answers a few times. Goal: p99 < 20 ms.
//
//   node tests/node/workspace-bench.mjs --mode typing --url http://127.0.0.1:5390 --visitors 500 --operators 25 --seconds 30
//   node tests/node/workspace-bench.mjs --mode answers --url http://127.0.0.1:5390 --calls 2000
//
// Operators must exist (tests/load/run-workspace-benchmark.sh creates them by SQL): bench-op-1..M for
// typing, the one given by --search-operator for answers, all with the billing skill.
// Prints a human-readable report, then one JSON line. Exit code 0 whenever the benchmark ran (goals
// are reported PASS/MISS), 1 if setup failed outright.
import * as signalR from "@microsoft/signalr";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  buildConnection, clientLine, commonOptions, cpuPercent, createErrorTally, elapsedSeconds, everyFifthOrLast,
  fmt, goalLines, inBatches, int, loopDelayMs, makeLog, num, operatorLogin, percentiles, round, rssMB,
  runSchedule, shuffle, sleep, stopConnections, trimSlash, waitAssigned, widgetSession, withStatus,
  writeMeasureWindow,
} from "./bench-common.mjs";

const { values: argv } = parseArgs({
  options: {
    mode: { type: "string", default: "typing" },
    url: { type: "string", default: "http://127.0.0.1:5390" },
    // typing
    visitors: { type: "string", default: "500" },
    operators: { type: "string", default: "25" },
    seconds: { type: "string", default: "30" },
    interval: { type: "string", default: "300" },
    drain: { type: "string", default: "3" },
    "goal-p99": { type: "string" },
    "ack-timeout": { type: "string", default: "30" },
    // answers
    calls: { type: "string", default: "2000" },
    warmup: { type: "string", default: "50" },
    "list-calls": { type: "string", default: "5" },
    language: { type: "string", default: "fr-FR" },
    "search-operator": { type: "string", default: "bench-search@chatdesk.local" },
    // common (batch: typing visitors)
    ...commonOptions("bench-op-{n}@chatdesk.local"),
  },
});
const cfg = {
  mode: argv.mode,
  url: trimSlash(argv.url),
  visitors: int(argv.visitors), operators: int(argv.operators), seconds: num(argv.seconds), intervalMs: num(argv.interval),
  drainMs: num(argv.drain) * 1000, batch: int(argv.batch), ackTimeoutMs: num(argv["ack-timeout"]) * 1000,
  calls: int(argv.calls), warmup: int(argv.warmup), listCalls: int(argv["list-calls"]), language: argv.language,
  searchOperator: argv["search-operator"],
  siteKey: argv["site-key"], hostOrigin: argv["host-origin"] ?? trimSlash(argv.url), topic: argv.topic,
  operatorEmail: argv["operator-email"], operatorPassword: argv["operator-password"], phaseFile: argv["phase-file"],
};
cfg.goalP99 = num(argv["goal-p99"] ?? (cfg.mode === "answers" ? "20" : "150"));

const log = makeLog("workspace-bench");
const { errors, errorText, noteError, errorSummary, errorSection } = createErrorTally(240);
let stopping = false;

// ---- Clients -----------------------------------------------------------------------------------
// LogLevel.Error: no warning per server push these benchmarks do not handle.
const connect = (path, options) => buildConnection(cfg.url, path, options, signalR.LogLevel.Error);

const convOwner = new Map(); // conversationId -> operator index (from the operator's ChatAssigned)
const operators = [];
const visitors = [];

async function startOperator(index, email, onTyping) {
  const op = { index, email, conn: null, open: false, failed: false, cookie: null, assigned: 0 };
  operators.push(op);
  try {
    const { cookie } = await operatorLogin(cfg.url, email, cfg.operatorPassword);
    op.cookie = cookie;
    const conn = (op.conn = connect("/hubs/operator", { headers: { Cookie: cookie } }));
    conn.on("ChatAssigned", (summary) => { op.assigned++; convOwner.set(summary.conversationId, index); });
    if (onTyping) conn.on("VisitorTyping", (notice) => onTyping(op, notice));
    conn.onclose((e) => { op.open = false; if (!stopping) noteError("operator connection closed", e ?? "closed"); });
    await conn.start();
    op.open = true;
    await conn.invoke("SetStatus", "online");
  } catch (e) {
    op.failed = true;
    noteError("operator setup", e);
  }
  return op;
}

async function startVisitor(index, language) {
  const v = { index, conn: null, open: false, failed: false, conversationId: null, assigned: false, ended: false, draftBase: 0 };
  visitors.push(v);
  let phase = "widget session";
  try {
    const session = await widgetSession(cfg.url, cfg.siteKey, cfg.hostOrigin);
    phase = "visitor connect";
    const conn = (v.conn = connect("/hubs/visitor", { accessTokenFactory: () => session.visitorToken }));
    conn.on("ChatAssigned", () => { v.assigned = true; });
    conn.on("ChatEnded", () => { v.ended = true; });
    conn.onclose((e) => { v.open = false; if (!stopping) noteError("visitor connection closed", e ?? "closed"); });
    await conn.start();
    v.open = true;
    phase = "StartChat";
    const view = await conn.invoke("StartChat", { name: `Bench visitor ${index + 1}`, topic: cfg.topic, language });
    v.conversationId = view.conversationId;
    v.typingPreview = view.typingPreview;
    if (view.status === "assigned") v.assigned = true;
    if (view.status === "ended") throw new Error(`StartChat returned an ended conversation (${view.endedReason ?? "?"})`);
  } catch (e) {
    v.failed = true;
    noteError(phase, e);
  }
  return v;
}

// ---- Statistics -----------------------------------------------------------------------------------
// Two decimals: answer-search round trips are a few milliseconds.
const stats = (values) => percentiles(values, { digits: 2 });

async function stopAll() {
  stopping = true;
  await stopConnections([...visitors, ...operators]);
}

// ================================================================================================
// 1. Typing preview
// ================================================================================================
const DRAFT_WORDS = ("Bonjour, j'ai une question sur ma facture du mois dernier : le montant prélevé ne correspond pas " +
  "à mon abonnement, pouvez-vous vérifier ? Hello, I was charged twice for my order and the delivery is late, " +
  "could you check the refund status and tell me when the parcel will arrive? Merci d'avance pour votre aide.").split(" ");
const MARK_RE = /\[wsb (\d+) (\d+\.\d+)\]$/;
const events = []; // { v, conv, sentAt, sentWall, ackAt, failed, recvAt, recvCount, recvOp, serverAt }

async function runTyping() {
  const started = performance.now();
  let unknownReceived = 0, emptyOrNull = 0, duplicates = 0, wrongConversation = 0;
  const deliveredPerSecond = [];
  let window0 = 0, inflight = 0, overlapping = 0;

  const onTyping = (op, notice) => {
    const now = performance.now();
    const m = notice.draft == null ? null : MARK_RE.exec(notice.draft);
    if (!m) { if (notice.draft == null || notice.draft === "") emptyOrNull++; else unknownReceived++; return; }
    const record = events[Number(m[1])];
    if (!record || Math.abs(record.sentAt - Number(m[2])) > 0.01) { unknownReceived++; return; }
    record.recvCount++;
    if (record.recvCount > 1) { duplicates++; return; }
    record.recvAt = now;
    record.recvOp = op.index;
    if (notice.conversationId !== record.conv) wrongConversation++;
    const at = Date.parse(notice.at);
    if (Number.isFinite(at)) record.serverAt = at;
    const second = Math.floor((now - window0) / 1000);
    if (second >= 0) deliveredPerSecond[second] = (deliveredPerSecond[second] ?? 0) + 1;
  };

  log(`typing: ${cfg.visitors} visitors, ${cfg.operators} operators, Typing every ${cfg.intervalMs} ms for ${cfg.seconds} s`);
  await inBatches(cfg.operators, 5, (i) => startOperator(i, cfg.operatorEmail.replace("{n}", String(i + 1)), onTyping));
  const operatorsUp = operators.filter((o) => o.open).length;
  log(`operators online: ${operatorsUp}/${cfg.operators}`);
  if (operatorsUp === 0) throw new Error(`no operator could log in: ${[...errors.keys()].join(" | ")}`);

  const rampStart = performance.now();
  await inBatches(cfg.visitors, cfg.batch, (i) => startVisitor(i, "en-GB"), (_, done, b) => {
    if (everyFifthOrLast(done, cfg.visitors, b)) log(`visitors started: ${done}/${cfg.visitors} (${visitors.filter((v) => v.failed).length} failed)`);
  });
  const rampMs = performance.now() - rampStart;
  const senders = await waitAssigned(visitors, convOwner, 15_000);
  const unassigned = visitors.filter((v) => v.open && v.conversationId).length - senders.length;
  log(`chats assigned and ready: ${senders.length} (unassigned after 15 s: ${unassigned}); ramp ${(rampMs / 1000).toFixed(1)} s`);
  if (senders.length === 0) throw new Error(`no chat is ready: ${[...errors.keys()].join(" | ")}`);
  const previewOff = senders.filter((v) => v.typingPreview === false).length;
  shuffle(senders);
  const perOperator = new Map();
  for (const v of senders) { const o = convOwner.get(v.conversationId); perOperator.set(o, (perOperator.get(o) ?? 0) + 1); }

  // Measurement window: event k is due at window0 + k * interval / visitors (each visitor once per interval).
  const ticks = Math.max(1, Math.round((cfg.seconds * 1000) / cfg.intervalMs));
  const total = ticks * senders.length;
  const step = cfg.intervalMs / senders.length;
  const pending = new Map(); // visitor index -> outstanding Typing calls
  const send = (v) => {
    const id = events.length;
    const words = 3 + (v.draftBase++ % 40) * 2; // the draft grows by two words a tick, then a new message starts
    const text = Array.from({ length: words }, (_, i) => DRAFT_WORDS[i % DRAFT_WORDS.length]).join(" ");
    const sentAt = performance.now();
    const record = { v: v.index, conv: v.conversationId, sentAt, sentWall: performance.timeOrigin + sentAt, ackAt: 0, failed: false, recvAt: 0, recvCount: 0, recvOp: -1, serverAt: 0 };
    events.push(record);
    if ((pending.get(v.index) ?? 0) > 0) overlapping++;
    pending.set(v.index, (pending.get(v.index) ?? 0) + 1);
    inflight++;
    v.conn.invoke("Typing", `${text} [wsb ${id} ${sentAt.toFixed(3)}]`).then(
      () => { record.ackAt = performance.now(); },
      (e) => { record.failed = true; noteError("visitor Typing", e); },
    ).finally(() => { inflight--; pending.set(v.index, pending.get(v.index) - 1); });
  };

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const wallStartEpoch = Date.now() / 1000;
  window0 = performance.now() + 20;
  let skipped = 0;
  const maxLag = await runSchedule(total, step, window0, (k) => {
    const v = senders[k % senders.length];
    if (v.open) send(v); else skipped++;
  });
  const sendEnd = performance.now();
  const windowMs = sendEnd - window0;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  writeMeasureWindow(cfg.phaseFile, wallStartEpoch);
  log(`sent ${events.length} Typing calls in ${(windowMs / 1000).toFixed(2)} s; waiting for acks and a ${cfg.drainMs / 1000} s drain`);

  const drainUntil = performance.now() + cfg.ackTimeoutMs;
  while (inflight > 0 && performance.now() < drainUntil) await sleep(50);
  await sleep(cfg.drainMs);
  const stillInflight = inflight;
  const stopAt = performance.now();

  // Figures.
  const acked = events.filter((e) => e.ackAt > 0);
  const received = events.filter((e) => e.recvCount > 0);
  // Lost: the server acknowledged the call at least one drain period before we stopped, and the operator
  // never got it. Calls still queued at the server when we stopped waiting are "undelivered", not lost.
  const lost = acked.filter((e) => e.recvCount === 0 && e.ackAt < stopAt - cfg.drainMs);
  const undelivered = events.filter((e) => e.recvCount === 0 && !e.failed).length - lost.length;
  const misrouted = received.filter((e) => e.recvOp !== convOwner.get(e.conv)).length;
  const latency = stats(received.map((e) => e.recvAt - e.sentAt));
  const ack = stats(acked.map((e) => e.ackAt - e.sentAt));
  // Split at the server's `at` stamp (taken just before the push is published; same clock, ms precision).
  const withAt = received.filter((e) => e.serverAt > 0);
  const toAt = stats(withAt.map((e) => e.serverAt - e.sentWall));
  const fromAt = stats(withAt.map((e) => performance.timeOrigin + e.recvAt - e.serverAt));
  const inWindow = received.filter((e) => e.recvAt <= sendEnd).length;
  const lastDelivery = received.reduce((t, e) => Math.max(t, e.recvAt), 0);
  const perSecond = Array.from({ length: Math.floor(windowMs / 1000) }, (_, i) => deliveredPerSecond[i] ?? 0); // holes = seconds without a delivery
  // Latency over time (per 5 s of the window): shows whether a backlog builds up.
  const buckets = [];
  for (const e of received) { const b = Math.floor((e.sentAt - window0) / 5000); (buckets[b] ??= []).push(e.recvAt - e.sentAt); }
  const overTime = buckets.map((values, b) => ({ from: b * 5, p50: stats(values ?? []).p50, p99: stats(values ?? []).p99 }));
  const loop = loopDelayMs(loopDelay);
  const clientCpu = cpuPercent(cpu, windowMs);
  const lostTotal = lost.length;
  const goals = [
    { goal: `typing preview p99 < ${cfg.goalP99} ms`, value: latency.p99, pass: latency.p99 != null && latency.p99 < cfg.goalP99 },
    { goal: "lost typing events = 0", value: lostTotal, pass: lostTotal === 0 },
    { goal: `events/s sustained >= ${round(senders.length * 1000 / cfg.intervalMs, 0)}`, value: round(inWindow / (windowMs / 1000)), pass: inWindow / (windowMs / 1000) >= 0.97 * senders.length * 1000 / cfg.intervalMs },
  ];
  const result = {
    benchmark: "typing",
    config: { visitors: cfg.visitors, operators: cfg.operators, seconds: cfg.seconds, intervalMs: cfg.intervalMs, drainMs: cfg.drainMs },
    connections: {
      operatorsOnline: operators.filter((o) => o.open).length, visitorsFailed: visitors.filter((v) => v.failed).length,
      chatsTyping: senders.length, chatsUnassigned: unassigned, typingPreviewOff: previewOff, rampSeconds: round(rampMs / 1000, 2),
      chatsPerOperator: { min: Math.min(...perOperator.values()), max: Math.max(...perOperator.values()) },
    },
    events: {
      scheduled: total, sent: events.length, skippedClosed: skipped, acknowledged: acked.length, failed: events.filter((e) => e.failed).length,
      unanswered: stillInflight, overlappingCalls: overlapping, received: received.length, lost: lost.length, undelivered,
      misrouted, wrongConversation, duplicates, unknownReceived, emptyOrNullDrafts: emptyOrNull,
      windowSeconds: round(windowMs / 1000, 2), sendRate: round(events.length / (windowMs / 1000)), deliveredRate: round(inWindow / (windowMs / 1000)),
      deliveredPerSecond: { min: perSecond.length ? Math.min(...perSecond) : null, max: perSecond.length ? Math.max(...perSecond) : null },
      backlogSeconds: round(Math.max(0, (lastDelivery - sendEnd) / 1000), 2), schedulerMaxLagMs: round(maxLag),
    },
    latencyMs: { delivery: latency, ack, sendToServerAt: toAt, serverAtToReceive: fromAt, overTime },
    errors: errorSummary(),
    client: { cpuPercent: clientCpu, eventLoopDelayMs: loop, rssMB: rssMB() },
    goals: withStatus(goals),
    elapsedSeconds: elapsedSeconds(started),
  };
  const lines = [
    "",
    "============ ChatDesk typing-preview benchmark ============",
    `Config         ${cfg.visitors} visitors typing, ${cfg.operators} operators, Typing(draft) every ${cfg.intervalMs} ms per visitor for ${cfg.seconds} s`,
    `Chats          ${senders.length} chats typing (${unassigned} unassigned, ${result.connections.visitorsFailed} visitors failed); per operator ${result.connections.chatsPerOperator.min}..${result.connections.chatsPerOperator.max}; ramp ${result.connections.rampSeconds} s` +
      (previewOff ? `; ${previewOff} with typing preview OFF` : ""),
    `Events         sent ${events.length}/${total}, acknowledged ${acked.length}, failed ${result.events.failed}, still unanswered ${stillInflight}, received by operators ${received.length}`,
    `Throughput     offered ${result.events.sendRate} events/s; delivered within the ${result.events.windowSeconds} s window ${result.events.deliveredRate} events/s (per second: min ${result.events.deliveredPerSecond.min}, max ${result.events.deliveredPerSecond.max})`,
    `               deliveries went on ${result.events.backlogSeconds} s after the last send; client scheduler max lag ${result.events.schedulerMaxLagMs} ms; calls sent while the visitor's previous one was unanswered: ${overlapping}`,
    `Latency        visitor Typing -> operator VisitorTyping: ${fmt(latency)}`,
    `               Typing invocation ack (visitor):        ${fmt(ack)}`,
    `               split at the server's "at" stamp:  send -> at ${fmt(toAt)}`,
    `                                                  at -> operator ${fmt(fromAt)}`,
    `               over time (by send time): ${overTime.map((b) => `${b.from}s p50 ${b.p50}/p99 ${b.p99}`).join(" | ")}`,
    `Lost           ${lost.length} acknowledged (>= ${cfg.drainMs / 1000} s before the end) but never received; misrouted ${misrouted}; wrong conversationId ${wrongConversation}`,
    `Undelivered    ${undelivered} sent but not delivered when the client stopped waiting (${round(cfg.ackTimeoutMs / 1000 + cfg.drainMs / 1000, 0)} s after the last send): server backlog, not counted as lost`,
    `Other          duplicates ${duplicates}, unmatched drafts ${unknownReceived}, empty/null drafts ${emptyOrNull}`,
    ...errorSection(12),
    clientLine(result.client),
    "Goals",
    ...goalLines(result.goals, 34),
    "===========================================================",
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify(result));
}

// ================================================================================================
// 2. Answer-library search
// ================================================================================================
// [query, kind]; accent pairs are checked for identical suggestions.
const QUERIES = [
  ["#a0001", "shortcut prefix"], ["#a00", "shortcut prefix"], ["#a0123", "shortcut prefix"], ["#a09", "shortcut prefix"],
  ["#a04567", "shortcut exact"], ["/a005", "shortcut prefix"], ["a0007", "shortcut prefix"], ["#a0999", "shortcut prefix"],
  ["rembour", "word prefix"], ["deliv", "word prefix"], ["factu", "word prefix"], ["livr", "word prefix"], ["passw", "word prefix"],
  ["abonn", "word prefix"], ["refun", "word prefix"], ["garan", "word prefix"], ["sub", "word prefix"], ["co", "word prefix"],
  ["remboursement", "word"], ["delivery", "word"], ["invoice", "word"], ["LIVRAISON", "word"],
  ["remboursement commande", "two words"], ["delivery delay", "two words"], ["late deliv", "two words"], ["carte bancaire", "two words"],
  ["payment fail", "two words"], ["mot de passe", "three words"], ["colis endommagé", "two words"], ["order cancel", "two words"],
  ["réclamation", "accented"], ["reclamation", "unaccented"], ["facturé", "accented"], ["facture", "unaccented"],
  ["expédition", "accented"], ["expedition", "unaccented"], ["échange", "accented"], ["echange", "unaccented"],
  ["données personnelles", "accented"], ["donnees personnelles", "unaccented"], ["prélèvement", "accented"], ["prelevement", "unaccented"],
  ["", "empty (most used)"], ["xylophone", "no match"],
];
const ACCENT_PAIRS = [["réclamation", "reclamation"], ["facturé", "facture"], ["expédition", "expedition"], ["échange", "echange"],
  ["données personnelles", "donnees personnelles"], ["prélèvement", "prelevement"]];

async function runAnswers() {
  const started = performance.now();
  log(`answers: operator ${cfg.searchOperator}, ${cfg.calls} sequential SuggestAnswers calls (${cfg.warmup} warm-up), chat language ${cfg.language}`);
  const op = await startOperator(0, cfg.searchOperator, null);
  if (!op.open) throw new Error(`operator could not log in: ${[...errors.keys()].join(" | ")}`);
  const v = await startVisitor(0, cfg.language);
  const ready = await waitAssigned([v], convOwner, 15_000);
  if (ready.length !== 1 || convOwner.get(v.conversationId) !== 0) throw new Error(`the chat was not assigned to ${cfg.searchOperator}: ${[...errors.keys()].join(" | ")}`);
  const conversationId = v.conversationId;
  log(`chat ${conversationId} assigned to ${cfg.searchOperator}`);

  const suggest = async (query) => {
    const t = performance.now();
    const list = await op.conn.invoke("SuggestAnswers", conversationId, query);
    return { ms: performance.now() - t, list };
  };
  // Cold first call, then warm-up (not counted).
  const cold = await suggest("rembour");
  for (let i = 0; i < cfg.warmup; i++) await suggest(QUERIES[i % QUERIES.length][0]).catch((e) => noteError("warm-up", e));

  // Correctness checks, once per query: shortcut prefixes, accent pairs, result counts.
  const sample = new Map();
  for (const [q] of QUERIES) {
    try { sample.set(q, (await suggest(q)).list); } catch (e) { noteError(`SuggestAnswers "${q}"`, e); sample.set(q, null); }
  }
  const checks = [];
  for (const [q, kind] of QUERIES) {
    const list = sample.get(q);
    if (!list) continue;
    if (kind.startsWith("shortcut")) {
      const prefix = "#" + q.replace(/^[#/]/, "").toLowerCase();
      if (!list.length || !list.every((s) => s.shortcut.startsWith(prefix)))
        checks.push(`"${q}": expected suggestions whose shortcut starts with ${prefix}, got [${list.map((s) => s.shortcut).join(", ")}]`);
    }
    if (list.length > 8) checks.push(`"${q}": ${list.length} suggestions (> 8)`);
    if (list.some((s) => /\{(visitor|operator|site)\.name\}/.test(s.text))) checks.push(`"${q}": placeholders left unfilled`);
  }
  const ids = (q) => (sample.get(q) ?? []).map((s) => s.id).join(",");
  for (const [a, b] of ACCENT_PAIRS)
    if (ids(a) !== ids(b)) checks.push(`accent pair "${a}" / "${b}": different suggestions (${sample.get(a)?.length ?? "error"} vs ${sample.get(b)?.length ?? "error"})`);
  for (const [q, kind] of QUERIES) if (kind !== "no match" && sample.get(q)?.length === 0) checks.push(`"${q}" (${kind}): no suggestion at all`);
  if (sample.get("xylophone")?.length) checks.push(`"xylophone": expected no suggestion, got ${sample.get("xylophone").length}`);

  // Measured run: a shuffled sequence cycling through the mix.
  const order = Array.from({ length: cfg.calls }, (_, i) => QUERIES[i % QUERIES.length]);
  shuffle(order);
  const all = [], byKind = new Map(), byQuery = new Map();
  let failed = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const wallStartEpoch = Date.now() / 1000;
  const t0 = performance.now();
  for (const [q, kind] of order) {
    try {
      const { ms } = await suggest(q);
      all.push(ms);
      const k = kind.startsWith("shortcut") ? "shortcut" : kind;
      (byKind.get(k) ?? byKind.set(k, []).get(k)).push(ms);
      (byQuery.get(q) ?? byQuery.set(q, []).get(q)).push(ms);
    } catch (e) { failed++; noteError(`SuggestAnswers "${q}"`, e); }
  }
  const runMs = performance.now() - t0;
  loopDelay.disable();
  writeMeasureWindow(cfg.phaseFile, wallStartEpoch);

  // GET /api/answers (the library page; the contract's q= is listed there).
  const list = [];
  let listCount = null, listBytes = null, listStatus = null;
  for (let i = 0; i < cfg.listCalls; i++) {
    const t = performance.now();
    try {
      const response = await fetch(`${cfg.url}/api/answers?q=rembour`, { headers: { Accept: "application/json", Cookie: op.cookie } });
      const body = await response.text();
      list.push(performance.now() - t);
      listStatus = response.status; listBytes = Buffer.byteLength(body);
      if (response.ok) listCount = JSON.parse(body).length;
    } catch (e) { noteError("GET /api/answers", e); }
  }

  const overall = stats(all);
  const kinds = [...byKind].map(([k, values]) => ({ kind: k, ...stats(values) }));
  const queries = [...byQuery].map(([q, values]) => ({ query: q, results: sample.get(q)?.length ?? null, top: sample.get(q)?.[0]?.shortcut ?? null, ...stats(values) }))
    .sort((a, b) => b.p99 - a.p99);
  const goals = [
    { goal: `SuggestAnswers p99 < ${cfg.goalP99} ms`, value: overall.p99, pass: overall.p99 != null && overall.p99 < cfg.goalP99 },
    { goal: "SuggestAnswers errors = 0", value: failed, pass: failed === 0 },
  ];
  const result = {
    benchmark: "answers",
    config: { calls: cfg.calls, warmup: cfg.warmup, language: cfg.language, distinctQueries: QUERIES.length },
    latencyMs: { overall, cold: round(cold.ms, 2), byKind: kinds, byQuery: queries },
    throughput: { callsPerSecond: round(all.length / (runMs / 1000)), runSeconds: round(runMs / 1000, 2) },
    failed, checks,
    listAnswers: { status: listStatus, answers: listCount, bytes: listBytes, ...stats(list), queryParameterIgnored: listCount != null && listCount > 8 },
    errors: errorSummary(),
    client: { eventLoopDelayMs: { p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) } },
    goals: withStatus(goals),
    elapsedSeconds: elapsedSeconds(started),
  };
  const lines = [
    "",
    "============ ChatDesk answer-search benchmark ============",
    `Config         ${cfg.calls} sequential SuggestAnswers calls over ${QUERIES.length} queries (after ${cfg.warmup} warm-up), one operator, one ${cfg.language} chat`,
    `Latency        round trip from the client: ${fmt(overall)}; mean ${overall.mean} ms; ${result.throughput.callsPerSecond} calls/s; first (cold) call ${result.latencyMs.cold} ms`,
    ...kinds.map((k) => `  ${k.kind.padEnd(20)} ${fmt(k)}`),
    "Slowest queries (p99) and number of suggestions / top shortcut:",
    ...queries.slice(0, 8).map((q) => `  ${JSON.stringify(q.query).padEnd(26)} p50 ${q.p50} ms, p99 ${q.p99} ms, max ${q.max} ms; ${q.results} results, top ${q.top}`),
    "Fastest queries (p99):",
    ...queries.slice(-4).map((q) => `  ${JSON.stringify(q.query).padEnd(26)} p50 ${q.p50} ms, p99 ${q.p99} ms, max ${q.max} ms; ${q.results} results, top ${q.top}`),
    `Checks         ${checks.length ? `${checks.length} problem(s):` : "shortcut prefixes, accent pairs, <= 8 results, placeholders filled: all OK"}`,
    ...checks.map((c) => `                 ${c}`),
    `GET /api/answers?q=rembour  ${fmt(result.listAnswers)}; status ${listStatus}, ${listCount} answers, ${listBytes} bytes` +
      (result.listAnswers.queryParameterIgnored ? "  (q= is ignored: the whole library is returned)" : ""),
    ...errorSection(12),
    "Goals",
    ...goalLines(result.goals, 34),
    "==========================================================",
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify(result));
  // For the SQL-only measurement in run-workspace-benchmark.sh.
  console.error(`conversation_id=${conversationId}`);
}

const run = cfg.mode === "answers" ? runAnswers : cfg.mode === "typing" ? runTyping : () => Promise.reject(new Error(`unknown --mode ${cfg.mode}`));
run().then(
  async () => { await stopAll(); process.exit(0); },
  async (e) => {
    console.error(`workspace-bench.mjs: setup failed: ${e?.stack ?? e}`);
    console.log(JSON.stringify({ benchmark: cfg.mode, error: errorText(e), errors: Object.fromEntries(errors) }));
    await stopAll();
    process.exit(1);
  },
);
