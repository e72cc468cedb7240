// ChatDesk co-browse benchmark (issue 6): two real Chromium pages (playwright-core driving the
// system Chromium), the visitor's on the demo site with the widget, the operator's in the console.
// The visitor's page is first filled with a typical shop page (product grid, article, navigation),
// then the operator asks for a co-browse and the visitor consents. During `seconds` the visitor's page
// changes every `interval` ms, alternately an input value ("k<n>" in the order field) and a DOM
// mutation (a list item "m<n>"), each stamped in the page at the moment of the change; meanwhile the
// mouse moves (every 50 ms) and the page scrolls now and then, as a visitor does. The operator's page
// polls its rrweb replay every 2 ms and stamps when each marker appears. Both stamps are
// performance.timeOrigin + performance.now() on the same machine clock.
// Latency = operator stamp - visitor stamp. Bytes: what the recorder hands to the widget (the
// batches' JSON text), split into the first full snapshot and the steady stream, as bytes per minute.
// Goal: p99 < 250 ms on loopback.
//
//   node tests/node/cobrowse-bench.mjs --url http://127.0.0.1:5391 --seconds 60 --interval 200
//
// Prints a human-readable report, then one JSON line. Exit 0 whenever the benchmark ran (the goal is
// reported PASS/MISS), 1 if setup failed.
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { fmt, makeLog, percentiles, round, sleep, trimSlash, withStatus, goalLines, writeMeasureWindow } from "./bench-common.mjs";

const { values: argv } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:5391" },
    seconds: { type: "string", default: "60" },
    interval: { type: "string", default: "200" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    email: { type: "string", default: "alice@chatdesk.local" },
    password: { type: "string", default: "alice-demo-pass" },
    "phase-file": { type: "string" },
  },
});
const url = trimSlash(argv.url);
const seconds = Number(argv.seconds);
const intervalMs = Number(argv.interval);
const log = makeLog("cobrowse");
const GOAL_P99_MS = 250;

// A typical shop page: navigation, 40 product cards, a 30-paragraph article, a footer, some CSS.
const TYPICAL_PAGE = `(() => {
  const words = 'trail tent boots waterproof light summit river pack stove map compass jacket layer warm dry hike'.split(' ');
  const text = (n, seed) => Array.from({ length: n }, (_, i) => words[(i * 7 + seed) % words.length]).join(' ');
  const style = document.createElement('style');
  style.textContent = Array.from({ length: 60 }, (_, i) => '.c' + i + ' { margin: ' + i + 'px; color: #' + (100000 + i * 1234).toString(16).slice(0, 6) + '; }').join('\\n')
    + '.grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; } .card { border: 1px solid #ccc; padding: 8px; }';
  document.head.appendChild(style);
  const nav = document.createElement('nav');
  for (let i = 0; i < 12; i++) { const a = document.createElement('a'); a.href = '/demo/c' + i; a.textContent = 'Category ' + i; a.className = 'c' + i; nav.appendChild(a); }
  const grid = document.createElement('section'); grid.className = 'grid';
  for (let i = 0; i < 40; i++) {
    const card = document.createElement('article'); card.className = 'card c' + (i % 60);
    const h = document.createElement('h3'); h.textContent = 'Product ' + i + ' ' + text(3, i);
    const p = document.createElement('p'); p.textContent = text(40, i);
    const price = document.createElement('strong'); price.textContent = (19 + i * 3) + '.90 EUR';
    const b = document.createElement('button'); b.textContent = 'Add to cart';
    card.append(h, p, price, b); grid.appendChild(card);
  }
  const article = document.createElement('section');
  for (let i = 0; i < 30; i++) { const p = document.createElement('p'); p.textContent = text(60, i * 3); article.appendChild(p); }
  const list = document.createElement('ul'); list.id = 'bench-list';
  const footer = document.createElement('footer'); footer.textContent = text(30, 5);
  const main = document.querySelector('main');
  main.before(nav); main.append(grid, article, list); main.after(footer);
})()`;

// In the operator's page: when each marker reaches the console over its hub WebSocket (before the replay).
const STAMP_ARRIVALS = `(() => {
  window.__benchArrived = {};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string' || !e.data.includes('RemoteRelay')) return;
        const now = performance.timeOrigin + performance.now();
        for (const m of e.data.matchAll(/\\\\"(k[0-9]+|m[0-9]+)\\\\"/g)) window.__benchArrived[m[1]] ??= now;
      });
    }
  };
})()`;

// In the visitor's chat frame: how long each CobrowseEvents hub call takes (send -> completion).
const TIME_HUB_CALLS = `(() => {
  window.__benchCalls = [];
  const pending = new Map();
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        for (const part of e.data.split('\\u001e')) {
          const m = /"type":3,"invocationId":"([0-9]+)"/.exec(part);
          if (m && pending.has(m[1])) { window.__benchCalls.push(performance.now() - pending.get(m[1])); pending.delete(m[1]); }
        }
      });
    }
    send(data) {
      if (typeof data === 'string' && data.includes('"CobrowseEvents"')) {
        const m = /"invocationId":"([0-9]+)"/.exec(data);
        if (m) pending.set(m[1], performance.now());
      }
      return super.send(data);
    }
  };
})()`;

// In the visitor's page: counts the recorder's batches (the hook is set before the recorder loads).
const COUNT_BATCHES = `(() => {
  window.__benchBatches = [];
  window.__benchEmitted = {};
  let recorder;
  Object.defineProperty(window, 'ChatDeskCobrowse', {
    configurable: true,
    get() { return recorder; },
    set(value) {
      recorder = { startRecording(emit, block) {
        return value.startRecording((data) => {
          const now = performance.timeOrigin + performance.now();
          window.__benchBatches.push([now, data.length]);
          for (const m of data.matchAll(/"(k[0-9]+|m[0-9]+)"/g)) window.__benchEmitted[m[1]] ??= now;
          emit(data);
        }, block);
      } };
    },
  });
})()`;

async function main() {
  const browser = await chromium.launch({
    executablePath: argv.chromium, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
  });
  try {
    // ---- Operator: sign in, go online ----------------------------------------------------------
    const operatorContext = await browser.newContext();
    await operatorContext.addInitScript(STAMP_ARRIVALS);
    const operator = await operatorContext.newPage();
    await operator.goto(`${url}/console/`);
    await operator.fill("input[name=email]", argv.email);
    await operator.fill("input[name=password]", argv.password);
    await operator.click("[data-testid=login-submit]");
    await operator.waitForSelector("[data-testid=connection-status][data-state=connected]", { timeout: 30_000 });
    await operator.selectOption("[data-testid=presence]", "online");
    await sleep(1000);

    // ---- Visitor: a typical page, the widget, a chat ---------------------------------------------
    const visitorContext = await browser.newContext();
    await visitorContext.addInitScript(COUNT_BATCHES);
    await visitorContext.addInitScript(TIME_HUB_CALLS);
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${url}/demo/`);
    await visitor.evaluate(TYPICAL_PAGE);
    const domChars = await visitor.evaluate(() => document.documentElement.outerHTML.length);
    await visitor.click("[data-testid=chatdesk-launcher]");
    const widget = visitor.frameLocator("[data-testid=chatdesk-frame]");
    await widget.locator("input[name=name]").fill("Bench Visitor");
    await widget.locator("select[name=topic]").selectOption("billing");
    await widget.locator("[data-testid=prechat-submit]").click();
    await operator.click("[data-testid=chat-item]", { timeout: 30_000 });

    // ---- Co-browse: ask, consent, wait for the replay ----------------------------------------------
    await operator.click("[data-testid=remote-request-cobrowse]");
    await widget.locator("[data-testid=remote-accept]").click({ timeout: 30_000 });
    const t0 = Date.now();
    await operator.frameLocator("[data-testid=cobrowse-view] iframe").locator("#bench-list").waitFor({ state: "attached", timeout: 30_000 });
    const firstReplayMs = Date.now() - t0;
    log(`replay shown ${firstReplayMs} ms after consent; measuring for ${seconds} s`);
    await sleep(1000);

    // The operator's page stamps each marker when its replay first shows it.
    await operator.evaluate(() => {
      const seen = (window.__benchSeen = {});
      setInterval(() => {
        const doc = document.querySelector("[data-testid=cobrowse-view] iframe")?.contentDocument;
        if (!doc) return;
        const now = performance.timeOrigin + performance.now();
        const value = doc.querySelector("input[name=order]")?.value;
        if (value && !(value in seen)) seen[value] = now;
        const last = doc.querySelector("#bench-list")?.lastElementChild?.textContent;
        if (last && !(last in seen)) seen[last] = now;
      }, 2);
    });

    const batchesBefore = await visitor.evaluate(() => window.__benchBatches.length);
    const measureStart = Date.now();
    // The visitor's page changes on its own schedule and stamps each change.
    await visitor.evaluate(({ intervalMs, count }) => {
      const sent = (window.__benchSent = {});
      const input = document.querySelector("input[name=order]");
      const list = document.querySelector("#bench-list");
      let n = 0;
      const timer = setInterval(() => {
        if (n >= count) return clearInterval(timer);
        const at = performance.timeOrigin + performance.now();
        if (n % 2 === 0) {
          input.value = `k${n}`;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          sent[`k${n}`] = at;
        } else {
          const li = document.createElement("li");
          li.textContent = `m${n}`;
          list.appendChild(li);
          sent[`m${n}`] = at;
        }
        n++;
      }, intervalMs);
    }, { intervalMs, count: Math.floor((seconds * 1000) / intervalMs) });
    // Meanwhile the mouse wanders and the page scrolls now and then.
    const viewport = visitor.viewportSize() ?? { width: 1280, height: 720 };
    for (let i = 0; Date.now() - measureStart < seconds * 1000; i++) {
      await visitor.mouse.move(100 + ((i * 37) % (viewport.width - 200)), 100 + ((i * 23) % (viewport.height - 200)));
      if (i % 60 === 30) await visitor.mouse.wheel(0, i % 120 === 30 ? 400 : -400);
      await sleep(50);
    }
    const measuredSeconds = (Date.now() - measureStart) / 1000;
    writeMeasureWindow(argv["phase-file"], measureStart / 1000);
    await sleep(2000);

    const sent = await visitor.evaluate(() => window.__benchSent);
    const batches = await visitor.evaluate(() => window.__benchBatches);
    const seen = await operator.evaluate(() => window.__benchSeen);
    const emitted = await visitor.evaluate(() => window.__benchEmitted);
    const arrived = await operator.evaluate(() => window.__benchArrived);
    const hubCalls = (await Promise.all(visitor.frames().map((f) => f.evaluate(() => window.__benchCalls ?? []).catch(() => [])))).flat();
    const latencies = { input: [], mutation: [] };
    const stages = { recorder: [], relay: [], replay: [] };
    let lost = 0;
    for (const [marker, at] of Object.entries(sent)) {
      if (!(marker in seen)) { lost++; continue; }
      latencies[marker.startsWith("k") ? "input" : "mutation"].push(seen[marker] - at);
      if (marker in emitted && marker in arrived) {
        stages.recorder.push(emitted[marker] - at);
        stages.relay.push(arrived[marker] - emitted[marker]);
        stages.replay.push(seen[marker] - arrived[marker]);
      }
    }
    const all = percentiles([...latencies.input, ...latencies.mutation]);
    const snapshotChars = batches.slice(0, batchesBefore).reduce((s, b) => s + b[1], 0);
    const steadyChars = batches.slice(batchesBefore).reduce((s, b) => s + b[1], 0);
    const perMinute = (steadyChars / measuredSeconds) * 60;
    const goals = withStatus([{ goal: `co-browse event latency p99 < ${GOAL_P99_MS} ms`, value: `${all.p99} ms`, pass: all.p99 != null && all.p99 < GOAL_P99_MS }]);
    const report = [
      "== Co-browse: visitor's page -> operator's replay (loopback, one server, PostgreSQL relay) ==",
      `Page           typical shop page, ${round(domChars / 1024, 0)} KB of HTML; replay shown ${firstReplayMs} ms after consent`,
      `Latency        ${fmt(all)}`,
      `  inputs       ${fmt(percentiles(latencies.input))}`,
      `  mutations    ${fmt(percentiles(latencies.mutation))}`,
      `Stages         page change -> recorder batch: ${fmt(percentiles(stages.recorder))}`,
      `               batch -> console WebSocket (widget, hub, PostgreSQL, hub): ${fmt(percentiles(stages.relay))}`,
      `               (of which the visitor's CobrowseEvents hub call: ${fmt(percentiles(hubCalls))})`,
      `               WebSocket -> shown in the replay: ${fmt(percentiles(stages.replay))}`,
      `Lost           ${lost} of ${Object.keys(sent).length} changes never appeared in the replay`,
      `Bytes          first snapshot ${round(snapshotChars / 1024, 1)} KB; then ${round(perMinute / 1024, 1)} KB per minute (${batches.length - batchesBefore} batches in ${round(measuredSeconds, 1)} s: a change every ${intervalMs} ms, mouse moving, scrolling)`,
      "Goals",
      ...goalLines(goals, 40),
    ];
    console.log(report.join("\n"));
    console.log(JSON.stringify({
      benchmark: "cobrowse", seconds: round(measuredSeconds, 1), intervalMs, latency: all,
      input: percentiles(latencies.input), mutation: percentiles(latencies.mutation), lost,
      stages: { recorder: percentiles(stages.recorder), relay: percentiles(stages.relay), replay: percentiles(stages.replay) },
      bytes: { pageHtml: domChars, firstSnapshot: snapshotChars, perMinute: Math.round(perMinute), batches: batches.length - batchesBefore },
      firstReplayMs, goals,
    }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
