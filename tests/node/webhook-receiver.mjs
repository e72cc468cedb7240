// Webhook receiver for tests/load/run-webhook-benchmark.sh: an HTTP server on loopback that verifies each
// request's signature (docs/webhooks.md), records the latency from the event's commit (its occurredAt) to the
// request's arrival, and counts distinct delivery ids and duplicates. It stops by itself once `expected`
// distinct ids arrived and `settle` ms passed with nothing new (late duplicates), or after `timeout` s, and
// prints one JSON line.
// Usage: node webhook-receiver.mjs <port> <secret> <expected> [timeout-s=120] [settle-ms=3000]
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

const [port, secret, expected, timeoutSeconds = '120', settleMs = '3000'] = process.argv.slice(2);
const want = Number(expected);
const seen = new Set();
const latencies = [];
let requests = 0;
let duplicates = 0;
let badSignatures = 0;
let first = 0;
let last = 0;
let lastNew = Date.now();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const arrived = Date.now();
    requests++;
    const body = Buffer.concat(chunks);
    const timestamp = String(req.headers['chatdesk-webhook-timestamp'] ?? '');
    const signature = Buffer.from(String(req.headers['chatdesk-webhook-signature'] ?? ''));
    const expectedSignature = Buffer.from('v1=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex'));
    if (signature.length !== expectedSignature.length || !timingSafeEqual(signature, expectedSignature)) badSignatures++;
    const id = String(req.headers['chatdesk-webhook-id'] ?? '');
    if (seen.has(id)) {
      duplicates++;
    } else {
      seen.add(id);
      lastNew = arrived;
      const event = JSON.parse(body.toString('utf8'));
      latencies.push(arrived - Date.parse(event.occurredAt));
      if (first === 0) first = arrived;
      last = arrived;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});

const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

function finish() {
  const sorted = [...latencies].sort((a, b) => a - b);
  const seconds = (last - first) / 1000;
  console.log(JSON.stringify({
    expected: want,
    received: seen.size,
    requests,
    lost: Math.max(0, want - seen.size),
    duplicates,
    badSignatures,
    throughputPerSecond: seconds > 0 ? Math.round((seen.size - 1) / seconds) : null,
    latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null },
  }));
  server.close();
  process.exit(0);
}

server.listen(Number(port), '127.0.0.1', () => console.error(`receiver listening on 127.0.0.1:${port}`));
const started = Date.now();
setInterval(() => {
  if (Date.now() - started > Number(timeoutSeconds) * 1000) finish();
  if (seen.size >= want && Date.now() - lastNew > Number(settleMs)) finish();
}, 200);
