// Bare baseline for the scale benchmark: a raw WebSocket relay on this machine, with no SignalR, no database
// and no ChatDesk. P sender/receiver pairs; the server forwards each sender's frame to its receiver. Senders
// send `rate` messages per second in all for `seconds`; reported: delivered per second and latency p50/p99.
// Run with --serve PORT in one process and the client in another, so that each gets its own core as the
// ChatDesk nodes and the load client do.
//
//   node tests/node/raw-relay.mjs --serve 5490 &
//   node tests/node/raw-relay.mjs --url ws://127.0.0.1:5490 --pairs 500 --rate 1000 --seconds 20
// Prints one JSON line.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws"; // ws 7 (the SignalR client's): CommonJS, the server is WebSocket.Server
import { int, num, percentiles, round, runSchedule, sleep } from "./bench-common.mjs";

const { values: argv } = parseArgs({
  options: {
    serve: { type: "string" },
    url: { type: "string", default: "ws://127.0.0.1:5490" },
    pairs: { type: "string", default: "500" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
  },
});

if (argv.serve) {
  // Path /s/N is sender N, /r/N its receiver.
  const receivers = new Map();
  const server = new WebSocket.Server({ host: "127.0.0.1", port: int(argv.serve) });
  server.on("connection", (socket, request) => {
    const [, role, id] = request.url.split("/");
    if (role === "r") receivers.set(id, socket);
    else socket.on("message", (data) => receivers.get(id)?.send(data));
  });
} else {
  const pairs = int(argv.pairs), rate = num(argv.rate), seconds = num(argv.seconds);
  const open = (path) => new Promise((resolve, reject) => {
    const socket = new WebSocket(`${argv.url}${path}`);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
  const latencies = [];
  const senders = [];
  for (let i = 0; i < pairs; i++) {
    const receiver = await open(`/r/${i}`);
    receiver.on("message", (data) => latencies.push(performance.now() - Number(String(data).split(" ", 1)[0])));
    senders.push(await open(`/s/${i}`));
  }
  const total = Math.round(rate * seconds);
  const started = performance.now();
  await runSchedule(total, 1000 / rate, started, (k) => senders[k % pairs].send(`${performance.now()} payload of a chat message, about as long as one`));
  await sleep(2000);
  const elapsed = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ pairs, rate, seconds, sent: total, delivered: latencies.length, deliveredPerSecond: round(latencies.length / (elapsed - 2)), latencyMs: percentiles(latencies) }));
  for (const socket of senders) socket.terminate();
  process.exit(0);
}
