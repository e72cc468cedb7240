// ChatDesk queue-drain benchmark client, on the official @microsoft/signalr client.
//
// "Time to drain a queue of 1,000 waiting chats once capacity appears, and assignments per second
// with 2 server instances. Goal: 1,000 chats assigned within 5 s, zero double assignments."
//
//  1. A sentinel operator (capacity 1) goes online on node A and one visitor takes its only slot, so
//     that later chats queue instead of being ended at once as missed ("no_operator").
//  2. M drain operators log in, connect (half on each node) and set themselves "away".
//  3. N visitors (half on each node) open a widget session, connect and StartChat (billing), in
//     batches; every one must come back "queued".
//  4. Capacity appears: at t0 all M operators call SetStatus("online") at once. Measured until every
//     queued visitor has received "ChatAssigned" (visitor side) and every operator its pushes.
//  5. Client-side double-assignment checks (a visitor told twice, a conversation told to two
//     operators, the visitor's operatorName not matching the operator that was told).
// The database-side checks (events, capacity) are done by tests/load/run-drain-benchmark.sh.
//
//   node tests/node/drain.mjs --url-a http://127.0.0.1:5290 --url-b http://127.0.0.1:5291 --chats 1000 --operators 20
//
// Operators drain-op-1..M@chatdesk.local and drain-sentinel@chatdesk.local must exist (the shell
// script creates them). Prints a human-readable report, then one JSON line. Exit code 0 whenever
// the benchmark ran (goals are PASS/MISS), 1 if setup failed outright.
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  buildConnection, clientLine, commonOptions, cpuPercent, createErrorTally, elapsedSeconds, everyFifthOrLast,
  fmt, goalLines, inBatches, int, loopDelayMs, makeLog, num, operatorLogin, percentiles, round, rssMB, sleep,
  stopConnections, trimSlash, widgetSession, withStatus,
} from "./bench-common.mjs";

const { values: argv } = parseArgs({
  options: {
    "url-a": { type: "string", default: "http://127.0.0.1:5290" },
    "url-b": { type: "string", default: "http://127.0.0.1:5291" },
    chats: { type: "string", default: "1000" },
    operators: { type: "string", default: "20" },
    ...commonOptions("drain-op-{n}@chatdesk.local"),
    "sentinel-email": { type: "string", default: "drain-sentinel@chatdesk.local" },
    "goal-seconds": { type: "string", default: "5" },
    timeout: { type: "string", default: "60" },
    settle: { type: "string", default: "1" },
    "json-out": { type: "string" },
  },
});
const cfg = {
  urls: [argv["url-a"], argv["url-b"]].map(trimSlash),
  chats: int(argv.chats), operators: int(argv.operators), batch: int(argv.batch),
  siteKey: argv["site-key"], hostOrigin: trimSlash(argv["host-origin"] ?? argv["url-a"]), topic: argv.topic,
  operatorEmail: argv["operator-email"], sentinelEmail: argv["sentinel-email"], operatorPassword: argv["operator-password"],
  goalSeconds: num(argv["goal-seconds"]), timeoutMs: num(argv.timeout) * 1000, settleMs: num(argv.settle) * 1000,
  phaseFile: argv["phase-file"], jsonOut: argv["json-out"],
};
const log = makeLog("drain");
const nodeName = (n) => (n === 0 ? "A" : "B");

const { errors, errorText, noteError, errorSummary, errorSection } = createErrorTally();
let stopping = false;
let t0 = 0; // performance.now() when the operators go online (0 = not yet)

// ---- Operators ----------------------------------------------------------------------------------
const operators = []; // drain operators
const convToldTo = new Map(); // conversationId -> [operator index, ...] (operator-side ChatAssigned)

async function startOperator(index, email, node, { sentinel = false } = {}) {
  const op = { index, email, node, sentinel, conn: null, open: false, failed: false, displayName: null, told: [], setStatusMs: null };
  try {
    const { cookie, me } = await operatorLogin(cfg.urls[node], email, cfg.operatorPassword);
    op.displayName = me.displayName;
    const conn = (op.conn = buildConnection(cfg.urls[node], "/hubs/operator", { headers: { Cookie: cookie } }));
    conn.on("ChatAssigned", (summary) => {
      const at = performance.now();
      op.told.push({ conv: summary.conversationId, at });
      if (sentinel) return;
      const list = convToldTo.get(summary.conversationId) ?? [];
      list.push(index);
      convToldTo.set(summary.conversationId, list);
    });
    for (const name of ["MessageReceived", "ChatEnded", "StatusChanged", "QueueChanged", "OfflineMessageReceived"]) conn.on(name, () => {});
    conn.onclose((e) => { op.open = false; if (!stopping) noteError(`${sentinel ? "sentinel" : "operator"} connection closed`, e ?? "closed"); });
    await conn.start();
    op.open = true;
    await conn.invoke("SetStatus", sentinel ? "online" : "away");
  } catch (e) {
    op.failed = true;
    noteError(sentinel ? "sentinel setup" : "operator setup", e);
  }
  return op;
}

// ---- Visitors -----------------------------------------------------------------------------------
const visitors = [];
const setupTimes = { session: [], connect: [], startChat: [] };
const startStatuses = new Map(); // status returned by StartChat -> count

async function startVisitor(index, node, name) {
  const v = {
    index, node, conn: null, open: false, failed: false, conversationId: null, status: null, endedReason: null,
    notices: [], // visitor-side ChatAssigned: { conv, operatorName, at }
    queueUpdates: 0, queueUpdatesAfterT0: 0, ended: false,
  };
  let phase = "widget session";
  try {
    let t = performance.now();
    const session = await widgetSession(cfg.urls[node], cfg.siteKey, cfg.hostOrigin);
    setupTimes.session.push(performance.now() - t);
    phase = "visitor connect";
    const conn = (v.conn = buildConnection(cfg.urls[node], "/hubs/visitor", { accessTokenFactory: () => session.visitorToken }));
    conn.on("ChatAssigned", (notice) => { v.notices.push({ conv: notice.conversationId, operatorName: notice.operatorName, at: performance.now() }); });
    conn.on("QueueUpdated", () => { v.queueUpdates++; if (t0) v.queueUpdatesAfterT0++; });
    conn.on("MessageReceived", () => {});
    conn.on("ChatEnded", () => { v.ended = true; });
    conn.onclose((e) => { v.open = false; if (!stopping) noteError("visitor connection closed", e ?? "closed"); });
    t = performance.now();
    await conn.start();
    setupTimes.connect.push(performance.now() - t);
    v.open = true;
    phase = "StartChat";
    t = performance.now();
    const view = await conn.invoke("StartChat", { name, topic: cfg.topic });
    setupTimes.startChat.push(performance.now() - t);
    v.conversationId = view.conversationId;
    v.status = view.status;
    v.endedReason = view.endedReason ?? null;
    const key = view.status === "ended" ? `ended (${view.endedReason ?? "?"})` : view.status;
    startStatuses.set(key, (startStatuses.get(key) ?? 0) + 1);
  } catch (e) {
    v.failed = true;
    noteError(phase, e);
  }
  return v;
}

// ---- Statistics -----------------------------------------------------------------------------------
// The drain's figures include the minimum (first assignment after t0).
const stats = (values) => percentiles(values, { withMin: true });
// The phase file also carries this process's pid: the shell's sampler counts the client's CPU with it.
const phases = { node_pid: process.pid };
function phase(name) {
  phases[name] = (Date.now() / 1000).toFixed(3);
  if (cfg.phaseFile) writeFileSync(cfg.phaseFile, Object.entries(phases).map(([k, v]) => `${k}=${v}\n`).join(""));
}

// ---- Main -----------------------------------------------------------------------------------------
async function main() {
  const started = performance.now();
  phase("start");
  log(`nodes ${cfg.urls.join(" + ")}: ${cfg.chats} chats, ${cfg.operators} drain operators, visitor batch ${cfg.batch}`);

  // 1. Sentinel online on node A, and one visitor takes its single slot.
  const sentinel = await startOperator(-1, cfg.sentinelEmail, 0, { sentinel: true });
  if (!sentinel.open) throw new Error(`sentinel could not go online: ${[...errors.keys()].join(" | ")}`);
  const blocker = await startVisitor(-1, 0, "Drain blocker");
  if (blocker.failed || blocker.status !== "assigned")
    throw new Error(`the sentinel's visitor should be assigned at once, got ${blocker.status ?? "an error"}: ${[...errors.keys()].join(" | ")}`);
  startStatuses.clear();
  setupTimes.session.length = setupTimes.connect.length = setupTimes.startChat.length = 0;
  log(`sentinel ${sentinel.displayName} online on node A with its single slot taken`);

  // 2. Drain operators connect (half per node) and stay away (a few logins at a time: hashing is slow).
  await inBatches(cfg.operators, 5, (i) => startOperator(i, cfg.operatorEmail.replace("{n}", String(i + 1)), i % 2),
    (batch) => operators.push(...batch));
  const operatorsUp = operators.filter((o) => o.open && !o.failed);
  log(`drain operators connected and away: ${operatorsUp.length}/${cfg.operators}`);
  if (operatorsUp.length === 0) throw new Error(`no drain operator could connect: ${[...errors.keys()].join(" | ")}`);
  const byDisplayName = new Map(operators.map((o) => [o.displayName, o.index]));

  // 3. Build the queue: N visitors, half per node, in batches.
  phase("buildup_start");
  const buildStart = performance.now();
  await inBatches(cfg.chats, cfg.batch, (i) => startVisitor(i, i % 2, `Drain visitor ${i + 1}`), (batch, done, b) => {
    visitors.push(...batch);
    if (everyFifthOrLast(done, cfg.chats, b))
      log(`visitors started: ${visitors.length}/${cfg.chats} (${visitors.filter((v) => v.status === "queued").length} queued, ${visitors.filter((v) => v.failed).length} failed)`);
  });
  const buildMs = performance.now() - buildStart;
  phase("buildup_end");
  const queued = visitors.filter((v) => v.status === "queued" && v.open);
  const notQueued = visitors.length - queued.length;
  if (notQueued > 0) noteError("build-up", `${notQueued} visitor(s) did not come back "queued" (see StartChat statuses)`);
  // Let the build-up pushes (QueueUpdated, automated notice) land before capacity appears.
  await sleep(1000);
  const assignedEarly = visitors.filter((v) => v.notices.length > 0).length;
  if (assignedEarly > 0) noteError("build-up", `${assignedEarly} visitor(s) were assigned before capacity appeared`);
  if (queued.length === 0) throw new Error(`no chat is queued: ${[...errors.keys()].join(" | ")}`);
  const queuedSet = new Set(queued.map((v) => v.conversationId));
  log(`queue built: ${queued.length} queued in ${(buildMs / 1000).toFixed(1)} s; capacity appears now`);

  // 4. Capacity appears: every drain operator goes online at once.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  const t0Epoch = Date.now() / 1000;
  phase("drain_start");
  const setStatus = Promise.all(operatorsUp.map(async (o) => {
    const t = performance.now();
    try { await o.conn.invoke("SetStatus", "online"); o.setStatusMs = performance.now() - t; }
    catch (e) { noteError("SetStatus online", e); }
  }));
  const visitorDone = () => queued.every((v) => v.notices.length > 0);
  const operatorsTold = () => operatorsUp.reduce((s, o) => s + o.told.length, 0);
  const deadline = t0 + cfg.timeoutMs;
  let visitorsAllAt = 0;
  while (performance.now() < deadline) {
    if (!visitorsAllAt && visitorDone()) visitorsAllAt = performance.now();
    if (visitorsAllAt && operatorsTold() >= queued.length) break;
    await sleep(5);
  }
  const waitEnd = performance.now();
  phase("drain_end");
  await setStatus;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  // Settle: late or duplicate pushes still count against the double-assignment check.
  await sleep(cfg.settleMs);

  // 5. Figures.
  const firstNotice = (v) => v.notices.find((n) => n.conv === v.conversationId);
  const assigned = queued.filter((v) => firstNotice(v));
  const waits = assigned.map((v) => firstNotice(v).at - t0);
  const lastVisitorAt = assigned.reduce((m, v) => Math.max(m, firstNotice(v).at), 0);
  const drainMs = assigned.length ? lastVisitorAt - t0 : null;
  const allAssigned = assigned.length === queued.length && queued.length === cfg.chats;
  const opEvents = operatorsUp.flatMap((o) => o.told.map((t) => t.at - t0));
  const lastOperatorMs = opEvents.length ? Math.max(...opEvents) : null;
  // Assignments per second over time (visitor side), for the curve.
  const perTenth = [];
  for (const w of waits) { const b = Math.floor(w / 100); perTenth[b] = (perTenth[b] ?? 0) + 1; }
  const curve = [];
  let cum = 0;
  for (let b = 0; b < perTenth.length; b++) { cum += perTenth[b] ?? 0; if ((b + 1) % 5 === 0 || b === perTenth.length - 1) curve.push([round((b + 1) / 10, 1), cum]); }

  // Double-assignment checks on the client side.
  const visitorsToldTwice = visitors.filter((v) => v.notices.length > 1).length;
  const convsToManyOps = [...convToldTo.values()].filter((l) => new Set(l).size > 1).length;
  const opToldSameTwice = [...convToldTo.values()].filter((l) => l.length > new Set(l).size).length;
  const notOurs = [...convToldTo.keys()].filter((c) => !queuedSet.has(c)).length; // e.g. the sentinel's chat given again
  let nameMismatch = 0, visitorNotOperator = 0;
  for (const v of assigned) {
    const told = convToldTo.get(v.conversationId);
    if (!told) { visitorNotOperator++; continue; }
    if (byDisplayName.get(firstNotice(v).operatorName) !== told[0]) nameMismatch++;
  }
  const operatorNotVisitor = [...convToldTo.keys()].filter((c) => queuedSet.has(c) && !assigned.some((v) => v.conversationId === c)).length;
  const doubles = visitorsToldTwice + convsToManyOps + opToldSameTwice + notOurs + nameMismatch;
  const sentinelExtra = Math.max(0, sentinel.told.length - 1); // the sentinel has capacity 1: any further push is over capacity

  const perNode = [0, 1].map((n) => {
    const vs = assigned.filter((v) => v.node === n);
    return { node: nodeName(n), visitors: queued.filter((v) => v.node === n).length, assigned: vs.length, timeToAssignment: stats(vs.map((v) => firstNotice(v).at - t0)) };
  });
  const opCounts = operators.map((o) => o.told.length);
  const setStatusTimes = stats(operatorsUp.filter((o) => o.setStatusMs != null).map((o) => o.setStatusMs));
  const drainS = drainMs == null ? null : drainMs / 1000;
  const rate = drainS ? assigned.length / drainS : null;
  const loop = loopDelayMs(loopDelay);
  const clientCpu = cpuPercent(cpu, waitEnd - t0);

  const goals = [
    { goal: `${cfg.chats} assigned within ${cfg.goalSeconds} s`, value: drainS == null ? null : round(drainS, 3), pass: allAssigned && drainS <= cfg.goalSeconds },
    { goal: "0 double assignments (client side)", value: doubles + sentinelExtra, pass: doubles + sentinelExtra === 0 },
  ];
  const result = {
    config: { chats: cfg.chats, operators: cfg.operators, batch: cfg.batch, nodes: cfg.urls, topic: cfg.topic },
    setup: {
      operatorsConnected: operatorsUp.length, operatorsFailed: operators.filter((o) => o.failed).length,
      buildUpSeconds: round(buildMs / 1000, 2), startChatStatuses: Object.fromEntries(startStatuses),
      queued: queued.length, notQueued, visitorsFailed: visitors.filter((v) => v.failed).length, assignedBeforeT0: assignedEarly,
      session: stats(setupTimes.session), connect: stats(setupTimes.connect), startChat: stats(setupTimes.startChat),
    },
    drain: {
      t0Epoch: round(t0Epoch, 3),
      assigned: assigned.length, unassigned: queued.length - assigned.length,
      drainSeconds: drainS == null ? null : round(drainS, 3), assignmentsPerSecond: round(rate),
      firstAssignmentMs: waits.length ? round(Math.min(...waits)) : null,
      timeToAssignment: stats(waits),
      cumulativeAssignedBySecond: curve,
      lastOperatorPushMs: round(lastOperatorMs), operatorPushes: opEvents.length,
      setStatusOnline: setStatusTimes,
      perNode,
      queueUpdatesAfterT0: visitors.reduce((s, v) => s + v.queueUpdatesAfterT0, 0),
      queueUpdatesDuringBuildUp: visitors.reduce((s, v) => s + v.queueUpdates - v.queueUpdatesAfterT0, 0),
    },
    operators: {
      received: Object.fromEntries(operators.map((o) => [o.email.replace(/@.*/, ""), o.told.length])),
      min: opCounts.length ? Math.min(...opCounts) : null, max: opCounts.length ? Math.max(...opCounts) : null,
      sentinelReceived: sentinel.told.length,
    },
    doubles: {
      visitorsToldTwice, conversationsToldToTwoOperators: convsToManyOps, operatorToldSameChatTwice: opToldSameTwice,
      operatorToldAboutForeignChat: notOurs, operatorNameMismatch: nameMismatch, sentinelOverCapacity: sentinelExtra,
      visitorToldButNoOperator: visitorNotOperator, operatorToldButNoVisitor: operatorNotVisitor, total: doubles + sentinelExtra,
    },
    errors: errorSummary(),
    client: { cpuPercent: clientCpu, eventLoopDelayMs: loop, rssMB: rssMB() },
    goals: withStatus(goals),
    elapsedSeconds: elapsedSeconds(started),
  };

  const lines = [
    "",
    "================ ChatDesk queue-drain benchmark ================",
    `Config         ${cfg.chats} chats (topic ${cfg.topic}), ${cfg.operators} drain operators, 2 nodes (${cfg.urls.join(", ")}), visitor batch ${cfg.batch}`,
    `Setup          drain operators connected ${operatorsUp.length}/${cfg.operators} (half per node), away; sentinel online on A with its 1 slot taken`,
    `Build-up       ${visitors.length} StartChat in ${result.setup.buildUpSeconds} s (${round(visitors.length / (buildMs / 1000))} chats/s); statuses: ${[...startStatuses].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}; failed ${result.setup.visitorsFailed}`,
    `               session ${fmt(result.setup.session)}`,
    `               connect ${fmt(result.setup.connect)}`,
    `               StartChat ${fmt(result.setup.startChat)}`,
    `Drain          t0 = all ${operatorsUp.length} operators SetStatus("online") at once`,
    `               assigned ${assigned.length}/${queued.length} queued; drain time (t0 -> last visitor ChatAssigned) ${drainS == null ? "n/a" : `${round(drainS, 3)} s`}` +
      (assigned.length < queued.length ? ` (timeout ${cfg.timeoutMs / 1000} s)` : ""),
    `               assignments/s ${result.drain.assignmentsPerSecond ?? "n/a"}; first visitor ChatAssigned at +${result.drain.firstAssignmentMs ?? "n/a"} ms`,
    `               time to assignment (from t0): ${fmt(result.drain.timeToAssignment)}`,
    `               assigned by t (s): ${curve.map(([s, n]) => `${s}:${n}`).join(" ")}`,
    ...perNode.map((p) => `               visitors on node ${p.node}: ${p.assigned}/${p.visitors} assigned, ${fmt(p.timeToAssignment)}`),
    `               SetStatus("online") round trip: ${fmt(setStatusTimes)}`,
    `               QueueUpdated pushes received: ${result.drain.queueUpdatesDuringBuildUp} during build-up, ${result.drain.queueUpdatesAfterT0} after t0`,
    `Operators      ChatAssigned pushes received ${opEvents.length}, last at +${result.drain.lastOperatorPushMs ?? "n/a"} ms; per operator min ${result.operators.min} max ${result.operators.max}`,
    `               ${operators.map((o) => `${o.index + 1}${nodeName(o.node)}:${o.told.length}`).join(" ")}   (sentinel: ${sentinel.told.length})`,
    `Doubles        ${doubles + sentinelExtra} (visitor told twice ${visitorsToldTwice}, chat told to two operators ${convsToManyOps}, operator told twice ${opToldSameTwice},`,
    `               foreign chat ${notOurs}, operatorName mismatch ${nameMismatch}, sentinel over capacity ${sentinelExtra})`,
    `               not doubles but inconsistent: visitor told, no operator told ${visitorNotOperator}; operator told, visitor not ${operatorNotVisitor}`,
    ...errorSection(15),
    clientLine(result.client, { during: " during the drain", measured: "times" }),
    "Goals (client side; the shell adds the database checks)",
    ...goalLines(result.goals, 36),
    "================================================================",
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify(result));
  if (cfg.jsonOut) writeFileSync(cfg.jsonOut, JSON.stringify(result));

  stopping = true;
  await stopConnections([...visitors, blocker, sentinel, ...operators]);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`drain.mjs: setup failed: ${e?.stack ?? e}`);
    const out = JSON.stringify({ error: errorText(e), errors: Object.fromEntries(errors) });
    console.log(out);
    if (cfg.jsonOut) writeFileSync(cfg.jsonOut, out);
    process.exit(1);
  },
);
