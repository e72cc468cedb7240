// ChatDesk routing burst benchmark client, on the official @microsoft/signalr client.
//
// "A burst of 1,000 StartChat calls across 3 nodes must all be queued or assigned within 2 s, with no
// double assignment and no operator over capacity across nodes."
//
//  1. M operators log in, connect (spread over the nodes) and go online.
//  2. N visitors (spread over the nodes) open a widget session and connect: set-up, not measured.
//  3. At t0 every visitor calls StartChat at once. Measured: until the last call has returned, and
//     each call's own time; every call must come back "queued" or "assigned".
// The database-side checks (one chat.assigned per chat, capacity) are done by tests/load/run-burst-benchmark.sh.
//
//   node tests/node/burst.mjs --urls http://127.0.0.1:5390,http://127.0.0.1:5391,http://127.0.0.1:5392 --chats 1000 --operators 20
//
// Operators burst-op-1..M@chatdesk.local must exist (the shell script creates them). Prints a report,
// then one JSON line. Exit code 0 whenever the benchmark ran (goals are PASS/MISS), 1 if set-up failed.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  buildConnection, commonOptions, createErrorTally, fmt, inBatches, int, makeLog, num, operatorLogin,
  percentiles, round, sleep, stopConnections, trimSlash, widgetSession,
} from "./bench-common.mjs";

const { values: argv } = parseArgs({
  options: {
    urls: { type: "string", default: "http://127.0.0.1:5390,http://127.0.0.1:5391,http://127.0.0.1:5392" },
    chats: { type: "string", default: "1000" },
    operators: { type: "string", default: "20" },
    ...commonOptions("burst-op-{n}@chatdesk.local"),
    "goal-seconds": { type: "string", default: "2" },
    "json-out": { type: "string" },
  },
});
const urls = argv.urls.split(",").map(trimSlash);
const cfg = {
  chats: int(argv.chats), operators: int(argv.operators), batch: int(argv.batch),
  siteKey: argv["site-key"], hostOrigin: trimSlash(argv["host-origin"] ?? urls[0]),
  topics: argv.topic.split(","), // visitor i asks for topics[i % n]: one routing queue per topic
  operatorEmail: argv["operator-email"], operatorPassword: argv["operator-password"],
  goalSeconds: num(argv["goal-seconds"]), phaseFile: argv["phase-file"], jsonOut: argv["json-out"],
};
const log = makeLog("burst");
const { errors, noteError, errorSummary } = createErrorTally();
let stopping = false;

const phases = { node_pid: process.pid };
function phase(name) {
  phases[name] = (Date.now() / 1000).toFixed(3);
  if (cfg.phaseFile) writeFileSync(cfg.phaseFile, Object.entries(phases).map(([k, v]) => `${k}=${v}\n`).join(""));
}

async function startOperator(index) {
  const op = { conn: null, open: false };
  const url = urls[index % urls.length];
  try {
    const { cookie } = await operatorLogin(url, cfg.operatorEmail.replace("{n}", String(index + 1)), cfg.operatorPassword);
    const conn = (op.conn = buildConnection(url, "/hubs/operator", { headers: { Cookie: cookie } }));
    for (const name of ["ChatAssigned", "MessageReceived", "ChatEnded", "StatusChanged", "QueueChanged", "OfflineMessageReceived"]) conn.on(name, () => {});
    conn.onclose((e) => { op.open = false; if (!stopping) noteError("operator connection closed", e ?? "closed"); });
    await conn.start();
    op.open = true;
    await conn.invoke("SetStatus", "online");
  } catch (e) {
    noteError("operator setup", e);
  }
  return op;
}

async function connectVisitor(index) {
  const v = { conn: null, open: false, status: null, ms: null };
  const url = urls[index % urls.length];
  try {
    const session = await widgetSession(url, cfg.siteKey, cfg.hostOrigin);
    const conn = (v.conn = buildConnection(url, "/hubs/visitor", { accessTokenFactory: () => session.visitorToken }));
    for (const name of ["ChatAssigned", "QueueUpdated", "MessageReceived", "ChatEnded"]) conn.on(name, () => {});
    conn.onclose((e) => { v.open = false; if (!stopping) noteError("visitor connection closed", e ?? "closed"); });
    await conn.start();
    v.open = true;
  } catch (e) {
    noteError("visitor setup", e);
  }
  return v;
}

async function main() {
  log(`nodes ${urls.join(" + ")}: ${cfg.chats} StartChat calls at once, ${cfg.operators} operators online`);
  const operators = [];
  await inBatches(cfg.operators, 5, startOperator, (batch) => operators.push(...batch));
  const online = operators.filter((o) => o.open).length;
  if (online === 0) throw new Error(`no operator could go online: ${[...errors.keys()].join(" | ")}`);
  const visitors = [];
  await inBatches(cfg.chats, cfg.batch, connectVisitor, (batch) => visitors.push(...batch));
  const ready = visitors.filter((v) => v.open);
  log(`${online} operators online, ${ready.length}/${cfg.chats} visitors connected; the burst starts now`);
  await sleep(500);

  phase("burst_start");
  const t0 = performance.now();
  await Promise.all(ready.map(async (v, i) => {
    const t = performance.now();
    try {
      const view = await v.conn.invoke("StartChat", { name: `Burst visitor ${i + 1}`, topic: cfg.topics[i % cfg.topics.length] });
      v.status = view.status === "ended" ? `ended (${view.endedReason ?? "?"})` : view.status;
    } catch (e) {
      v.status = "error";
      noteError("StartChat", e);
    }
    v.ms = performance.now() - t;
  }));
  const burstSeconds = round((performance.now() - t0) / 1000, 2);
  phase("burst_end");

  const statuses = {};
  for (const v of ready) statuses[v.status] = (statuses[v.status] ?? 0) + 1;
  const routed = (statuses.queued ?? 0) + (statuses.assigned ?? 0);
  const callTimes = percentiles(ready.map((v) => v.ms));
  const goals = [
    { goal: `${cfg.chats} StartChat queued or assigned within ${cfg.goalSeconds} s`, value: `${burstSeconds} s, ${routed}/${cfg.chats} routed`,
      pass: routed === cfg.chats && burstSeconds <= cfg.goalSeconds },
  ];
  const result = { chats: cfg.chats, nodes: urls.length, operatorsOnline: online, burstSeconds, statuses, callTimes, errors: errorSummary(), goals };
  console.log("== Routing burst ==");
  console.log(`  ${cfg.chats} StartChat over ${urls.length} nodes, ${online} operators online: last call returned after ${burstSeconds} s`);
  console.log(`  statuses: ${Object.entries(statuses).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  console.log(`  call time: ${fmt(callTimes)}`);
  if (errors.size > 0) console.log(`  errors: ${[...errors.entries()].map(([k, n]) => `${k} x${n}`).join("; ")}`);
  if (cfg.jsonOut) writeFileSync(cfg.jsonOut, JSON.stringify(result));
  stopping = true;
  await stopConnections([...visitors, ...operators]);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
