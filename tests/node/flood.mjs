// ChatDesk flood client (tests/load/run-flood-benchmark.sh), on the official @microsoft/signalr client.
//
// While tests/node/load.mjs runs normal chats, this process plays the abusers:
// - `flooders` visitors start a chat and each call SendMessage `flood-rate` times a second, above the
//   server's per-visitor limit (ChatDesk:RateLimits:VisitorMessages): the excess must be refused as
//   "Too many requests" while the connection stays open;
// - `hostile` visitors, each `hostile-rate` times a second, send an oversize message (over the hub's
//   32 KiB limit: the server closes that connection, the client opens a new one) or a malformed call
//   (wrong argument types, an unknown method, a deeply nested argument).
// It stops when `stop-file` exists (or after `max-seconds`). Prints a report, then one JSON line.
// Exit code 0 whenever it ran, 1 if setup failed. Operators must be online (the flooders' chats need one).
//
//   node tests/node/flood.mjs --url http://127.0.0.1:5190 --flooders 200 --hostile 50 --stop-file s
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import * as signalR from "@microsoft/signalr";
import {
  buildConnection, commonOptions, createErrorTally, inBatches, int, makeLog, num, round, sleep, stopConnections, trimSlash,
  widgetSession,
} from "./bench-common.mjs";

const { values: argv } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:5190" },
    flooders: { type: "string", default: "200" },
    hostile: { type: "string", default: "50" },
    "flood-rate": { type: "string", default: "20" },
    "hostile-rate": { type: "string", default: "4" },
    "stop-file": { type: "string" },
    "max-seconds": { type: "string", default: "600" },
    ...commonOptions("unused"),
  },
});
const cfg = {
  url: trimSlash(argv.url), flooders: int(argv.flooders), hostile: int(argv.hostile),
  floodRate: num(argv["flood-rate"]), hostileRate: num(argv["hostile-rate"]), batch: int(argv.batch),
  stopFile: argv["stop-file"], maxMs: num(argv["max-seconds"]) * 1000,
  siteKey: argv["site-key"], hostOrigin: argv["host-origin"] ?? trimSlash(argv.url), topic: argv.topic,
};
const log = makeLog("flood");
const { noteError, errorSection, errorSummary } = createErrorTally();
const LIMITED = "Too many requests";
let stopping = false;

const counts = {
  floodSent: 0, floodAccepted: 0, floodLimited: 0, floodClosed: 0,
  oversizeSent: 0, oversizeClosed: 0, malformedSent: 0, malformedRefused: 0, malformedAccepted: 0, reconnects: 0, reconnectsRefused: 0,
};

async function connectVisitor(token) {
  // Silent: the server closing abusive connections is the expected outcome, counted in the report.
  const conn = buildConnection(cfg.url, "/hubs/visitor", { accessTokenFactory: () => token }, signalR.LogLevel.None);
  await conn.start();
  return conn;
}

async function startFlooder(index) {
  const session = await widgetSession(cfg.url, cfg.siteKey, cfg.hostOrigin);
  const conn = await connectVisitor(session.visitorToken);
  conn.onclose(() => { if (!stopping) counts.floodClosed++; });
  await conn.invoke("StartChat", { name: `Flooder ${index + 1}`, topic: cfg.topic });
  return { conn };
}

async function startHostile() {
  const session = await widgetSession(cfg.url, cfg.siteKey, cfg.hostOrigin);
  return { token: session.visitorToken, conn: await connectVisitor(session.visitorToken) };
}

const oversize = "x".repeat(40 * 1024);
const malformed = [
  (c) => c.invoke("SendMessage", 42),
  (c) => c.invoke("SendMessage", { clientMessageId: ["a"], text: { nested: true } }),
  (c) => c.invoke("NoSuchMethod", "x"),
  (c) => c.invoke("GetMessagesAfter", "not-a-number"),
  (c) => c.invoke("StartChat", JSON.parse("[".repeat(100) + "]".repeat(100))),
];

/** One abusive call of a hostile client: every 5th an oversize message, the others malformed. */
async function hostileCall(client, k) {
  if (client.conn.state !== "Connected") {
    try {
      client.conn = await connectVisitor(client.token);
      counts.reconnects++;
    } catch (e) {
      // Reconnecting over and over is itself limited (ChatDesk:RateLimits:VisitorConnections): a 429 on the
      // negotiation, or on the WebSocket request that follows it, which the client reports as a failed transport.
      if (!/429|WebSocket failed to connect/.test(String(e?.message))) throw e;
      counts.reconnectsRefused++;
      return;
    }
  }
  if (k % 5 === 0) {
    counts.oversizeSent++;
    const closed = new Promise((resolve) => client.conn.onclose(resolve));
    await client.conn.invoke("SendMessage", { clientMessageId: randomUUID(), text: oversize }).catch(() => undefined);
    await Promise.race([closed, sleep(2000)]);
    if (client.conn.state !== "Connected") counts.oversizeClosed++;
    return;
  }
  counts.malformedSent++;
  try {
    await malformed[k % malformed.length](client.conn);
    counts.malformedAccepted++;
  } catch {
    counts.malformedRefused++;
  }
}

const stopped = (started) => (cfg.stopFile && existsSync(cfg.stopFile)) || performance.now() - started > cfg.maxMs;

/** Calls fire(k) `rate` times a second (not waiting for answers, as an abuser would) until told to stop. */
async function every(rate, started, fire) {
  const step = 1000 / rate;
  let k = 0;
  const offset = Math.random() * step;
  while (!stopped(started)) {
    fire(k++);
    await sleep(Math.max(0, started + offset + k * step - performance.now()));
  }
}

async function main() {
  log(`setting up ${cfg.flooders} flooders and ${cfg.hostile} hostile clients`);
  const flooders = [];
  const hostile = [];
  await inBatches(cfg.flooders, cfg.batch, (i) => startFlooder(i).then((f) => flooders.push(f), (e) => noteError("flooder setup", e)));
  await inBatches(cfg.hostile, cfg.batch, () => startHostile().then((h) => hostile.push(h), (e) => noteError("hostile setup", e)));
  if (flooders.length + hostile.length === 0) {
    log("no client could connect");
    process.exit(1);
  }
  log(`flooding: ${flooders.length} flooders at ${cfg.floodRate} msg/s each, ${hostile.length} hostile clients at ${cfg.hostileRate} calls/s each`);

  const started = performance.now();
  await Promise.all([
    ...flooders.map((f) => every(cfg.floodRate, started, () => {
      if (f.conn.state !== "Connected") return;
      counts.floodSent++;
      f.conn.invoke("SendMessage", { clientMessageId: randomUUID(), text: "flood" }).then(
        () => { counts.floodAccepted++; },
        (e) => { if (String(e?.message).includes(LIMITED)) counts.floodLimited++; else noteError("flood SendMessage", e); },
      );
    })),
    ...hostile.map((h) => every(cfg.hostileRate, started, (k) => { hostileCall(h, k).catch((e) => noteError("hostile call", e)); })),
  ]);
  const seconds = (performance.now() - started) / 1000;
  await sleep(2000); // answers still on their way
  stopping = true;
  await stopConnections([...flooders, ...hostile]);

  const perFlooder = (n) => round(n / Math.max(1, flooders.length) / seconds, 2);
  console.log([
    "",
    "== ChatDesk flood client ==",
    `Abusers        ${flooders.length} flooders (${cfg.floodRate} msg/s each), ${hostile.length} hostile clients (${cfg.hostileRate} calls/s each), ${round(seconds)} s`,
    `Flood          ${counts.floodSent} SendMessage sent: ${counts.floodAccepted} accepted (${perFlooder(counts.floodAccepted)} msg/s per flooder), ` +
      `${counts.floodLimited} refused as rate-limited, ${counts.floodClosed} flooder connections closed by the server`,
    `Oversize       ${counts.oversizeSent} sent, ${counts.oversizeClosed} connections closed by the server; ${counts.reconnects} reconnects, ${counts.reconnectsRefused} refused (429)`,
    `Malformed      ${counts.malformedSent} sent, ${counts.malformedRefused} refused, ${counts.malformedAccepted} accepted`,
    ...errorSection(8),
  ].join("\n"));
  console.log(JSON.stringify({ flood: { seconds: round(seconds), ...counts }, errors: errorSummary() }));
  process.exit(0);
}

main().catch((e) => { log(`setup failed: ${e?.stack ?? e}`); process.exit(1); });
