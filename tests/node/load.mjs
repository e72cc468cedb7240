// ChatDesk load benchmark client, on the official @microsoft/signalr client.
//
// N visitors chat with M operators through the real server: operators log in over HTTP like the
// console (cookie + antiforgery) and go online; visitors get a widget session, connect to the
// visitor hub and start a "billing" chat (ramped in batches). Then, for `seconds`, visitors send
// `rate` messages per second in total (a drift-free schedule spread over all visitors); operators
// answer one message in `replyEvery`. Reported: connections held, messages/s, visitor->operator
// delivery latency (operator receive - visitor send, both performance.now() in this process),
// lost and duplicated messages, errors. Prints a human-readable report, then one JSON line.
//
//   node tests/node/load.mjs --url http://127.0.0.1:5190 --visitors 1000 --operators 20 --seconds 60 --rate 200
//
// Operators bench-op-1..M@chatdesk.local must exist (tests/load/run-benchmark.sh creates them).
// Exit code is 0 whenever the benchmark ran (goals are reported PASS/MISS), 1 if setup failed outright.
import * as signalR from "@microsoft/signalr";
import { randomUUID } from "node:crypto";
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
    url: { type: "string", default: "http://127.0.0.1:5190" },
    visitors: { type: "string", default: "1000" },
    operators: { type: "string", default: "20" },
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "200" },
    "reply-every": { type: "string", default: "5" },
    drain: { type: "string", default: "3" },
    ...commonOptions("bench-op-{n}@chatdesk.local"),
    "goal-chats": { type: "string", default: "1000" },
    "goal-rate": { type: "string", default: "200" },
    "goal-p99": { type: "string", default: "100" },
    "ack-timeout": { type: "string", default: "30" },
    // Behind the load balancer (infra/nginx/chatdesk.conf): each client sends its own affinity key, as distinct
    // client addresses would, so that clients spread over the nodes.
    affinity: { type: "boolean", default: false },
    // Connections per visitor: the extra ones are the same chat open in more tabs (they receive its pushes).
    tabs: { type: "string", default: "1" },
  },
});
const cfg = {
  url: trimSlash(argv.url),
  visitors: int(argv.visitors), operators: int(argv.operators), seconds: num(argv.seconds), rate: num(argv.rate),
  replyEvery: int(argv["reply-every"]), drainMs: num(argv.drain) * 1000, batch: int(argv.batch),
  siteKey: argv["site-key"], hostOrigin: argv["host-origin"] ?? trimSlash(argv.url), topic: argv.topic,
  operatorEmail: argv["operator-email"], operatorPassword: argv["operator-password"],
  goalChats: int(argv["goal-chats"]), goalRate: num(argv["goal-rate"]), goalP99: num(argv["goal-p99"]),
  ackTimeoutMs: num(argv["ack-timeout"]) * 1000, phaseFile: argv["phase-file"],
  affinity: argv.affinity, tabs: int(argv.tabs),
};
const affinityHeaders = (key) => (cfg.affinity ? { "X-ChatDesk-Affinity": key } : {});

const log = makeLog("load");

// ---- Bookkeeping ------------------------------------------------------------------------------
const { errors, errorText, noteError, errorSummary, errorSection } = createErrorTally();

/** Visitor messages, indexed by id: { v, conv, sentAt, ackAt, seq, failed, recvAt, recvCount, recvOp } */
const messages = [];
/** Operator replies, indexed by id: { op, conv, v, sentAt, ackAt, seq, failed, recvAt, recvCount } */
const replies = [];
const convOwner = new Map(); // conversationId -> operator index (from the operator's ChatAssigned)
const convVisitor = new Map(); // conversationId -> visitor index
const lastSequence = new Map(); // conversationId -> highest sequence acknowledged to a sender
let inflight = 0;
let misrouted = 0; // visitor message received by an operator that does not own the conversation
let unknownReceived = 0; // message text we cannot match to something we sent
let window0 = 0; // performance.now() at the start of the measurement window
const deliveredPerSecond = [];

function track(promise) {
  inflight++;
  return promise.finally(() => { inflight--; });
}
function noteSequence(conversationId, sequence) {
  if ((lastSequence.get(conversationId) ?? 0) < sequence) lastSequence.set(conversationId, sequence);
}
/** Records (conversation, sequence) seen by one client; returns false when it was already seen. */
function firstSight(seen, dto) {
  let set = seen.get(dto.conversationId);
  if (!set) seen.set(dto.conversationId, (set = new Set()));
  if (set.has(dto.sequence)) return false;
  set.add(dto.sequence);
  return true;
}
const MESSAGE_RE = /^bench (msg|reply) (\d+) /;

// ---- Operators ----------------------------------------------------------------------------------
const operators = [];

async function startOperator(index) {
  const op = { index, email: cfg.operatorEmail.replace("{n}", String(index + 1)), conn: null, open: false, closedWith: null, seen: new Map(), assigned: 0, duplicates: 0 };
  operators.push(op);
  try {
    const { cookie } = await operatorLogin(cfg.url, op.email, cfg.operatorPassword);
    const conn = (op.conn = buildConnection(cfg.url, "/hubs/operator", { headers: { Cookie: cookie, ...affinityHeaders(`op${index}`) } }));
    conn.on("ChatAssigned", (summary) => { op.assigned++; convOwner.set(summary.conversationId, index); });
    conn.on("MessageReceived", (dto) => onOperatorMessage(op, dto));
    conn.on("ChatEnded", () => {});
    conn.on("StatusChanged", () => {});
    conn.on("QueueChanged", () => {});
    conn.onclose((e) => { op.open = false; op.closedWith = errorText(e ?? "closed"); if (!stopping) noteError("operator connection closed", e ?? "closed"); });
    await conn.start();
    op.open = true;
    await conn.invoke("SetStatus", "online");
  } catch (e) {
    op.failed = true;
    noteError("operator setup", e);
  }
}

function onOperatorMessage(op, dto) {
  const now = performance.now();
  noteSequence(dto.conversationId, dto.sequence);
  if (!firstSight(op.seen, dto)) { op.duplicates++; return; }
  if (dto.authorKind !== "visitor") return;
  const match = MESSAGE_RE.exec(dto.text);
  const record = match?.[1] === "msg" ? messages[Number(match[2])] : undefined;
  if (!record) { unknownReceived++; return; }
  record.recvCount++;
  if (record.recvCount > 1) return; // same message again under another sequence would be a server duplicate
  record.recvAt = now;
  record.recvOp = op.index;
  record.seq ??= dto.sequence;
  const second = Math.floor((now - window0) / 1000);
  if (second >= 0) deliveredPerSecond[second] = (deliveredPerSecond[second] ?? 0) + 1;
  if (cfg.replyEvery > 0 && Number(match[2]) % cfg.replyEvery === 0) sendReply(op, dto.conversationId, record.v);
}

function sendReply(op, conversationId, visitorIndex) {
  const id = replies.length;
  const record = { op: op.index, conv: conversationId, v: visitorIndex, sentAt: performance.now(), ackAt: 0, seq: 0, failed: false, recvAt: 0, recvCount: 0 };
  replies.push(record);
  const text = `bench reply ${id} sent ${record.sentAt.toFixed(3)} - thanks, I am looking into your invoice now.`;
  track(op.conn.invoke("SendMessage", conversationId, { clientMessageId: randomUUID(), text })).then(
    (dto) => { record.ackAt = performance.now(); record.seq = dto.sequence; noteSequence(conversationId, dto.sequence); },
    (e) => { record.failed = true; noteError("operator SendMessage", e); },
  );
}

// ---- Visitors -----------------------------------------------------------------------------------
const visitors = [];
const setupTimes = { session: [], connect: [], startChat: [] };

async function startVisitor(index) {
  const v = { index, conn: null, open: false, tabs: [], conversationId: null, assigned: false, seen: new Map(), duplicates: 0, repliesReceived: 0 };
  visitors.push(v);
  let phase = "widget session";
  try {
    let t = performance.now();
    const session = await widgetSession(cfg.url, cfg.siteKey, cfg.hostOrigin);
    setupTimes.session.push(performance.now() - t);
    phase = "visitor connect";
    const conn = (v.conn = buildConnection(cfg.url, "/hubs/visitor", { accessTokenFactory: () => session.visitorToken, headers: affinityHeaders(`v${index}`) }));
    conn.on("MessageReceived", (dto) => onVisitorMessage(v, dto));
    conn.on("ChatAssigned", (notice) => { if (notice.conversationId === v.conversationId || !v.conversationId) v.assigned = true; });
    conn.on("ChatEnded", () => { v.ended = true; });
    conn.onclose((e) => { v.open = false; if (!stopping) noteError("visitor connection closed", e ?? "closed"); });
    t = performance.now();
    await conn.start();
    setupTimes.connect.push(performance.now() - t);
    v.open = true;
    phase = "StartChat";
    t = performance.now();
    const view = await conn.invoke("StartChat", { name: `Bench visitor ${index + 1}`, topic: cfg.topic });
    setupTimes.startChat.push(performance.now() - t);
    v.conversationId = view.conversationId;
    convVisitor.set(view.conversationId, index);
    if (view.status === "assigned") v.assigned = true;
    if (view.status === "ended") throw new Error("StartChat returned an ended conversation");
    phase = "visitor tab";
    for (let t = 1; t < cfg.tabs; t++) {
      const tab = { conn: buildConnection(cfg.url, "/hubs/visitor", { accessTokenFactory: () => session.visitorToken, headers: affinityHeaders(`v${index}-${t}`) }), open: false };
      for (const name of ["MessageReceived", "ChatAssigned", "ChatEnded", "QueueUpdated"]) tab.conn.on(name, () => {});
      tab.conn.onclose((e) => { tab.open = false; if (!stopping) noteError("visitor tab closed", e ?? "closed"); });
      v.tabs.push(tab);
      await tab.conn.start();
      tab.open = true;
    }
  } catch (e) {
    v.failed = true;
    noteError(phase, e);
  }
}

function onVisitorMessage(v, dto) {
  const now = performance.now();
  noteSequence(dto.conversationId, dto.sequence);
  if (!firstSight(v.seen, dto)) { v.duplicates++; return; }
  if (dto.authorKind !== "operator") return;
  const match = MESSAGE_RE.exec(dto.text);
  const record = match?.[1] === "reply" ? replies[Number(match[2])] : undefined;
  if (!record) { unknownReceived++; return; }
  record.recvCount++;
  if (record.recvCount === 1) { record.recvAt = now; v.repliesReceived++; }
}

function sendVisitorMessage(v, scheduledAt) {
  const id = messages.length;
  const record = { v: v.index, conv: v.conversationId, scheduledAt, sentAt: performance.now(), ackAt: 0, seq: undefined, failed: false, recvAt: 0, recvCount: 0, recvOp: -1 };
  messages.push(record);
  const text = `bench msg ${id} sent ${record.sentAt.toFixed(3)} - hello, I have a question about invoice ${100000 + id}.`;
  track(v.conn.invoke("SendMessage", { clientMessageId: randomUUID(), text })).then(
    (dto) => { record.ackAt = performance.now(); record.seq = dto.sequence; noteSequence(dto.conversationId, dto.sequence); },
    (e) => { record.failed = true; noteError("visitor SendMessage", e); },
  );
}

// ---- Main -----------------------------------------------------------------------------------------
let stopping = false;

async function main() {
  const started = performance.now();
  log(`target ${cfg.url}: ${cfg.visitors} visitors, ${cfg.operators} operators, ${cfg.seconds}s at ${cfg.rate} msg/s, reply 1/${cfg.replyEvery}`);

  // 1. Operators log in and go online (a few at a time: password hashing is deliberately slow).
  await inBatches(cfg.operators, 5, startOperator);
  const operatorsUp = operators.filter((o) => o.open).length;
  log(`operators online: ${operatorsUp}/${cfg.operators}`);
  if (operatorsUp === 0) throw new Error(`no operator could log in: ${[...errors.keys()].join(" | ")}`);

  // 2. Visitors ramp up in batches.
  const rampStart = performance.now();
  await inBatches(cfg.visitors, cfg.batch, startVisitor, (_, done, b) => {
    if (everyFifthOrLast(done, cfg.visitors, b)) log(`visitors started: ${done}/${cfg.visitors} (${visitors.filter((v) => v.failed).length} failed)`);
  });
  const rampMs = performance.now() - rampStart;

  // 3. Wait (max 15 s) until every chat is assigned and its operator has been told.
  const senders = await waitAssigned(visitors, convOwner, 15_000);
  const unassigned = visitors.filter((v) => v.open && v.conversationId).length - senders.length;
  log(`chats assigned and ready: ${senders.length} (unassigned after 15 s: ${unassigned}); ramp took ${(rampMs / 1000).toFixed(1)} s`);
  if (senders.length === 0) throw new Error(`no chat is ready: ${[...errors.keys()].join(" | ")}`);
  // Shuffle, so consecutive messages go to different conversations and operators.
  shuffle(senders);

  // 4. Measurement window: drift-free schedule (message k is due at window0 + k/rate s).
  const total = Math.round(cfg.rate * cfg.seconds);
  const interval = 1000 / cfg.rate;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const wallStartEpoch = Date.now() / 1000;
  window0 = performance.now() + 20;
  const maxLag = await runSchedule(total, interval, window0, (k, due) => {
    const v = senders[k % senders.length];
    if (v.open) sendVisitorMessage(v, due); else noteError("visitor SendMessage", "skipped: connection closed");
  });
  const sendEnd = performance.now();
  const windowMs = sendEnd - window0;
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  writeMeasureWindow(cfg.phaseFile, wallStartEpoch);
  log(`sent ${messages.length} messages in ${(windowMs / 1000).toFixed(2)} s; waiting for acks and a ${cfg.drainMs / 1000} s drain`);

  // 5. Drain: wait for outstanding invocations (max ack-timeout), then let pushes land.
  const drainUntil = performance.now() + cfg.ackTimeoutMs;
  while (inflight > 0 && performance.now() < drainUntil) await sleep(50);
  await sleep(cfg.drainMs);
  while (inflight > 0 && performance.now() < drainUntil) await sleep(50); // replies sent during the drain
  if (inflight > 0) await sleep(Math.min(cfg.drainMs, 1000));
  const stillInflight = inflight;

  // 6. Figures.
  const operatorsHeld = operators.filter((o) => o.open && o.conn?.state === signalR.HubConnectionState.Connected).length;
  const visitorsHeld = visitors.filter((v) => v.open && v.conn?.state === signalR.HubConnectionState.Connected).length;
  const chatsHeld = senders.filter((v) => v.open && !v.ended && v.conn?.state === signalR.HubConnectionState.Connected).length;

  const acked = messages.filter((m) => m.ackAt > 0);
  const received = messages.filter((m) => m.recvCount > 0);
  const lost = acked.filter((m) => m.recvCount === 0 || m.recvOp !== convOwner.get(m.conv));
  const lostNoAck = messages.filter((m) => m.ackAt === 0 && !m.failed && m.recvCount === 0).length; // never answered at all
  misrouted = received.filter((m) => m.recvOp !== convOwner.get(m.conv)).length;
  const latencies = received.map((m) => m.recvAt - m.sentAt);
  const inWindow = received.filter((m) => m.recvAt <= sendEnd).length; // delivered to operators within the window
  const ackedInWindow = acked.filter((m) => m.ackAt <= sendEnd).length;
  const lastDelivery = received.reduce((t, m) => Math.max(t, m.recvAt), 0);
  const backlogSeconds = Math.max(0, (lastDelivery - sendEnd) / 1000); // how long after the last send deliveries went on
  const acks = percentiles(acked.map((m) => m.ackAt - m.sentAt));
  const latency = percentiles(latencies);

  const repliesAcked = replies.filter((r) => r.ackAt > 0);
  const repliesLost = repliesAcked.filter((r) => r.recvCount === 0);
  const replyLatency = percentiles(replies.filter((r) => r.recvCount > 0).map((r) => r.recvAt - r.sentAt));

  const dupOperator = operators.reduce((s, o) => s + o.duplicates, 0);
  const dupVisitor = visitors.reduce((s, v) => s + v.duplicates, 0);
  const dupByText = messages.filter((m) => m.recvCount > 1).length + replies.filter((r) => r.recvCount > 1).length;
  const duplicated = dupOperator + dupVisitor + dupByText;

  // Gap check: each client must hold every sequence 1..last of its conversations.
  let operatorGaps = 0, visitorGaps = 0;
  for (const v of senders) {
    const last = lastSequence.get(v.conversationId) ?? 0;
    const op = operators[convOwner.get(v.conversationId)];
    const opSeen = op?.seen.get(v.conversationId) ?? new Set();
    const vSeen = v.seen.get(v.conversationId) ?? new Set();
    for (let s = 1; s <= last; s++) { if (!opSeen.has(s)) operatorGaps++; if (!vSeen.has(s)) visitorGaps++; }
  }

  const perSecond = deliveredPerSecond.slice(0, Math.floor(windowMs / 1000)).map((n) => n ?? 0);
  const achievedRate = ackedInWindow / (windowMs / 1000);
  const deliveredRate = inWindow / (windowMs / 1000);
  const lostTotal = lost.length + repliesLost.length;

  const goals = [
    { goal: `concurrent chats >= ${cfg.goalChats}`, value: chatsHeld, pass: chatsHeld >= cfg.goalChats },
    { goal: `messages/s sustained >= ${cfg.goalRate}`, value: round(Math.min(achievedRate, deliveredRate)), pass: Math.min(achievedRate, deliveredRate) >= cfg.goalRate * 0.99 },
    { goal: `delivery p99 < ${cfg.goalP99} ms`, value: latency.p99, pass: latency.p99 != null && latency.p99 < cfg.goalP99 },
    { goal: "lost messages = 0", value: lostTotal, pass: lostTotal === 0 && lostNoAck === 0 },
    { goal: "duplicated messages = 0", value: duplicated, pass: duplicated === 0 },
  ];

  const tabsHeld = visitors.reduce((n, v) => n + v.tabs.filter((t) => t.open).length, 0);
  const loop = loopDelayMs(loopDelay);
  const clientCpu = cpuPercent(cpu, windowMs);
  const result = {
    config: { visitors: cfg.visitors, operators: cfg.operators, seconds: cfg.seconds, rate: cfg.rate, replyEvery: cfg.replyEvery, drainMs: cfg.drainMs, batch: cfg.batch },
    connections: {
      operatorsHeld, operatorsFailed: operators.filter((o) => o.failed).length,
      visitorsHeld, visitorsFailed: visitors.filter((v) => v.failed).length,
      tabsHeld, held: operatorsHeld + visitorsHeld + tabsHeld, chatsHeld, chatsUnassigned: unassigned,
      rampSeconds: round(rampMs / 1000, 2),
      setup: { session: percentiles(setupTimes.session), connect: percentiles(setupTimes.connect), startChat: percentiles(setupTimes.startChat) },
    },
    messages: {
      scheduled: total, sent: messages.length, acknowledged: acked.length, failed: messages.filter((m) => m.failed).length,
      unanswered: stillInflight, receivedByOperator: received.length, lost: lost.length, lostNeverAcknowledged: lostNoAck, misrouted,
      windowSeconds: round(windowMs / 1000, 2), sendRate: round(messages.length / (windowMs / 1000)), ackRate: round(achievedRate), deliveredRate: round(deliveredRate),
      deliveredPerSecond: { min: perSecond.length ? Math.min(...perSecond) : null, max: perSecond.length ? Math.max(...perSecond) : null },
      backlogSeconds: round(backlogSeconds, 2),
      schedulerMaxLagMs: round(maxLag),
    },
    latencyMs: { delivery: latency, ack: acks, reply: replyLatency },
    replies: { sent: replies.length, acknowledged: repliesAcked.length, failed: replies.filter((r) => r.failed).length, receivedByVisitor: replies.filter((r) => r.recvCount > 0).length, lost: repliesLost.length },
    duplicates: { operatorSide: dupOperator, visitorSide: dupVisitor, sameMessageTwice: dupByText, total: duplicated },
    sequenceGaps: { operatorSide: operatorGaps, visitorSide: visitorGaps },
    unknownReceived,
    errors: errorSummary(),
    client: { cpuPercent: clientCpu, eventLoopDelayMs: loop, rssMB: rssMB() },
    goals: withStatus(goals),
    elapsedSeconds: elapsedSeconds(started),
  };

  const lines = [
    "",
    "================ ChatDesk load benchmark ================",
    `Config         ${cfg.visitors} visitors, ${cfg.operators} operators, ${cfg.seconds} s at ${cfg.rate} msg/s, operators reply to 1 in ${cfg.replyEvery}, ramp batch ${cfg.batch}`,
    `Connections    held at end: ${result.connections.held} (visitors ${visitorsHeld}/${cfg.visitors}, operators ${operatorsHeld}/${cfg.operators}, extra tabs ${tabsHeld}/${cfg.visitors * (cfg.tabs - 1)}); failed: visitors ${result.connections.visitorsFailed}, operators ${result.connections.operatorsFailed}`,
    `Chats          ${chatsHeld} concurrent chats held, ${unassigned} left unassigned; ramp ${result.connections.rampSeconds} s`,
    `Setup          session ${fmt(result.connections.setup.session)}`,
    `               connect ${fmt(result.connections.setup.connect)}`,
    `               StartChat ${fmt(result.connections.setup.startChat)}`,
    `Messages       sent ${messages.length}/${total}, acknowledged ${acked.length}, failed ${result.messages.failed}, still unanswered ${stillInflight}`,
    `Throughput     offered ${result.messages.sendRate} msg/s; within the ${result.messages.windowSeconds} s window ${result.messages.ackRate} msg/s acknowledged, ${result.messages.deliveredRate} msg/s delivered to operators (per second: min ${result.messages.deliveredPerSecond.min}, max ${result.messages.deliveredPerSecond.max})`,
    `               deliveries went on ${result.messages.backlogSeconds} s after the last send (backlog); client scheduler max lag ${result.messages.schedulerMaxLagMs} ms`,
    `Latency        visitor -> operator delivery: ${fmt(latency)}`,
    `               visitor SendMessage ack:       ${fmt(acks)}`,
    `               operator -> visitor reply:     ${fmt(replyLatency)}`,
    `Replies        sent ${replies.length}, acknowledged ${repliesAcked.length}, received by visitors ${result.replies.receivedByVisitor}, lost ${repliesLost.length}`,
    `Lost           visitor->operator ${lost.length} (acknowledged but never received by the owning operator), never acknowledged nor received ${lostNoAck}, misrouted ${misrouted}; replies ${repliesLost.length}`,
    `Duplicated     ${duplicated} (operator side ${dupOperator}, visitor side ${dupVisitor}, same message under two sequences ${dupByText})`,
    `Sequence gaps  operator side ${operatorGaps}, visitor side ${visitorGaps}`,
    ...errorSection(15),
    clientLine(result.client),
    "Goals",
    ...goalLines(result.goals, 32),
    "=========================================================",
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify(result));

  stopping = true;
  await stopConnections([...visitors, ...visitors.flatMap((v) => v.tabs), ...operators]);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`load.mjs: setup failed: ${e?.stack ?? e}`);
    console.log(JSON.stringify({ error: errorText(e), errors: Object.fromEntries(errors) }));
    process.exit(1);
  },
);
