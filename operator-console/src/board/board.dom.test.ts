// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '../i18n';
import type { BoardHub, BoardSnapshot } from '../shared/contract';
import { createBoard, createBoardLink, type Board } from './index';

/** In-memory board hub: GetSnapshot answers from `next`, emit() pushes like the server. */
function fakeBoardHub(first: () => Promise<BoardSnapshot>) {
  const handlers: ((snapshot: BoardSnapshot) => void)[] = [];
  const calls: unknown[][] = [];
  let answer = first;
  const hub: BoardHub = {
    invoke(method, ...args) {
      calls.push([method, ...args]);
      return answer();
    },
    on(_event, handler) {
      handlers.push(handler);
    },
  };
  return {
    hub,
    calls,
    answerWith: (next: () => Promise<BoardSnapshot>) => (answer = next),
    emit: (snapshot: BoardSnapshot) => handlers.forEach((handler) => handler(snapshot)),
  };
}

const snapshot = (overrides: Partial<BoardSnapshot> = {}): BoardSnapshot => ({
  at: '2025-03-12T14:30:05Z',
  queue: 4,
  longestWaitSeconds: 125,
  operatorsOnline: 6,
  operatorsAway: 1,
  operatorsBusy: 3,
  activeChats: 9,
  today: [
    { kpi: 'frt.mean', value: 75, target: 90, direction: 'lower', status: 'green' },
    { kpi: 'aht.mean', value: 516, target: 480, direction: 'lower', status: 'amber' },
    { kpi: 'abandonmentRate', value: 0.032, target: 0.03, direction: 'lower', status: 'amber' },
    { kpi: 'csat.rate', value: 0.85, target: 0.9, direction: 'higher', status: 'amber' },
    { kpi: 'nps', value: 42, target: 70, direction: 'higher', status: 'red' },
  ],
  utilization: 0.82,
  alerts: [],
  ...overrides,
});

const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const tile = (kpi: string) => $(`[data-testid="board-tile"][data-kpi="${kpi}"]`);
const value = (kpi: string) => tile(kpi)?.querySelector('[data-testid="board-value"]')?.textContent;
const target = (kpi: string) => tile(kpi)?.querySelector('[data-testid="board-target"]')?.textContent;
const statusText = (kpi: string) => {
  const status = tile(kpi)?.querySelector<HTMLElement>('[data-testid="board-status"]');
  return status && !status.hidden ? status.textContent : null;
};
const alert = () => $('[data-testid="board-alert"]');
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

let board: Board | null = null;
function mount(first: BoardSnapshot | (() => Promise<BoardSnapshot>) = snapshot(), extra: { now?: () => number } = {}) {
  const fake = fakeBoardHub(typeof first === 'function' ? first : async () => first);
  const indicator = document.createElement('span');
  indicator.dataset.testid = 'connection-status';
  board = createBoard({ hub: fake.hub, indicator, onExit: vi.fn(), ...extra });
  document.body.append(board.element);
  return fake;
}

beforeEach(() => {
  setLanguage('en');
  document.body.replaceChildren();
});
afterEach(() => {
  board?.dispose();
  board = null;
  vi.useRealTimers();
});

describe('live board (DOM)', () => {
  it('shows each skill with targets of its own in its own row, against those targets', async () => {
    mount(
      snapshot({
        skills: [
          {
            skill: 'billing',
            name: 'Billing',
            queue: 2,
            today: [{ kpi: 'abandonmentRate', value: 0.1, target: 0.05, direction: 'lower', status: 'red' }],
          },
        ],
      }),
    );
    expect($('[data-testid="board-skills"]')?.hidden).toBe(true);
    await board?.refresh();
    const row = $('[data-testid="board-skill"][data-skill="billing"]');
    expect($('[data-testid="board-skills"]')?.hidden).toBe(false);
    expect(row?.querySelector('h3')?.textContent).toBe('Billing — 2 waiting');
    const abandonment = row?.querySelector<HTMLElement>('[data-kpi="abandonmentRate"]');
    expect(abandonment?.querySelector('[data-testid="board-value"]')?.textContent).toBe('10.0%');
    expect(abandonment?.querySelector('[data-testid="board-target"]')?.textContent).toBe('Target ≤ 5.0%');
    expect(abandonment?.dataset.status).toBe('red');
    expect(row?.querySelector('[data-kpi="nps"] [data-testid="board-value"]')?.textContent).toBe('—');
    expect(tile('abandonmentRate')?.dataset.status).toBe('amber'); // the team's tile keeps the team's status
    expect(target('abandonmentRate')).toBe('Target ≤ 3.0%');
  });

  it('asks for the demo snapshot on (re)connect and renders every tile', async () => {
    const fake = mount();
    expect(value('queue')).toBe('—'); // nothing yet
    expect($('[data-testid="board-updated"]')?.textContent).toBe('Waiting for figures…');
    await board?.refresh();
    expect(fake.calls).toEqual([['GetSnapshot', 'demo']]);
    expect([...document.querySelectorAll<HTMLElement>('[data-testid="board-tile"]')].map((t) => t.dataset.kpi)).toEqual([
      'queue', 'longestWait', 'operatorsOnline', 'operatorsAway', 'operatorsBusy', 'activeChats', 'utilization',
      'frt.mean', 'aht.mean', 'abandonmentRate', 'csat.rate', 'nps',
    ]);
    expect(value('queue')).toBe('4');
    expect(value('longestWait')).toBe('2:05');
    expect(value('operatorsOnline')).toBe('6');
    expect(value('operatorsAway')).toBe('1');
    expect(value('operatorsBusy')).toBe('3');
    expect(value('activeChats')).toBe('9');
    expect(value('utilization')).toBe('82.0%');
    expect(value('frt.mean')).toBe('1:15');
    expect(value('aht.mean')).toBe('8:36');
    expect(value('abandonmentRate')).toBe('3.2%');
    expect(value('csat.rate')).toBe('85.0%');
    expect(value('nps')).toBe('42');
    expect(target('aht.mean')).toBe('Target ≤ 8:00');
    expect(target('abandonmentRate')).toBe('Target ≤ 3.0%');
    expect(target('nps')).toBe('Target ≥ 70');
    const time = $('[data-testid="board-updated"] time');
    expect(time?.getAttribute('datetime')).toBe('2025-03-12T14:30:05.000Z');
    expect(time?.textContent).toMatch(/^Last updated \S/);
    expect($('[data-testid="board"] [data-testid="connection-status"]')).not.toBeNull();
    await board?.refresh(); // a reconnect asks again
    expect(fake.calls).toHaveLength(2);
  });

  it('shows "—" for null values and no status without data', async () => {
    mount(
      snapshot({
        longestWaitSeconds: null,
        utilization: null,
        today: [
          { kpi: 'frt.mean', value: null, target: 90, direction: 'lower', status: null },
          { kpi: 'csat.rate', value: null, target: null, direction: null, status: null },
          { kpi: 'nps', value: null, target: null, direction: null, status: null },
        ],
      }),
    );
    await board?.refresh();
    expect(value('longestWait')).toBe('—');
    expect(value('utilization')).toBe('—');
    expect(value('frt.mean')).toBe('—');
    expect(value('aht.mean')).toBe('—'); // missing from `today`
    expect(value('csat.rate')).toBe('—');
    expect(value('nps')).toBe('—');
    expect(value('queue')).toBe('4');
    expect(target('frt.mean')).toBe('Target ≤ 1:30');
    expect(target('nps')).toBe('No target');
    expect(statusText('frt.mean')).toBeNull();
    expect(tile('frt.mean')?.className).toBe('board-tile');
  });

  it('colours the status with classes and says it in text', async () => {
    mount();
    await board?.refresh();
    expect(tile('frt.mean')?.classList.contains('status-green')).toBe(true);
    expect(tile('aht.mean')?.classList.contains('status-amber')).toBe(true);
    expect(tile('nps')?.classList.contains('status-red')).toBe(true);
    expect(tile('nps')?.classList.contains('status-amber')).toBe(false);
    expect(statusText('frt.mean')).toBe('On target');
    expect(statusText('aht.mean')).toBe('Near target');
    expect(statusText('nps')).toBe('Off target');
    expect(tile('nps')?.querySelector('[data-testid="board-status"]')?.classList.contains('status-red')).toBe(true);
    expect(tile('queue')?.querySelector('[data-testid="board-status"]')).toBeNull(); // no target on "now" tiles
  });

  it('shows the alerts as text and hides the banner without alerts', async () => {
    const fake = mount();
    await board?.refresh();
    expect(alert()?.hidden).toBe(true);
    fake.emit(
      snapshot({
        at: '2025-03-12T14:30:10Z',
        alerts: [
          { kind: 'wait', message: 'Longest wait <b>over 2 min</b>' },
          { kind: 'utilization', message: 'Utilization above 80 %' },
        ],
      }),
    );
    expect(alert()?.hidden).toBe(false);
    const items = [...document.querySelectorAll<HTMLElement>('[data-testid="board-alert-item"]')];
    expect(items.map((item) => item.textContent)).toEqual(['Longest wait <b>over 2 min</b>', 'Utilization above 80 %']);
    expect(items.map((item) => item.dataset.kind)).toEqual(['wait', 'utilization']);
    expect(alert()?.querySelector('b')).toBeNull(); // text, never markup
    fake.emit(snapshot({ at: '2025-03-12T14:30:15Z', alerts: [] }));
    expect(alert()?.hidden).toBe(true);
  });

  it('updates on the next Snapshot and ignores an older answer arriving late', async () => {
    let release: (value: BoardSnapshot) => void = () => undefined;
    const fake = mount(() => new Promise<BoardSnapshot>((resolve) => (release = resolve)));
    const pending = board?.refresh();
    fake.emit(snapshot({ at: '2025-03-12T14:30:10Z', queue: 7, longestWaitSeconds: 61, today: [{ kpi: 'nps', value: 75, target: 70, direction: 'higher', status: 'green' }] }));
    expect(value('queue')).toBe('7');
    expect(value('longestWait')).toBe('1:01');
    expect(value('nps')).toBe('75');
    expect(tile('nps')?.classList.contains('status-green')).toBe(true);
    expect(tile('nps')?.classList.contains('status-red')).toBe(false);
    expect(value('frt.mean')).toBe('—');
    release(snapshot()); // 14:30:05, older than what is shown
    await pending;
    expect(value('queue')).toBe('7');
    fake.emit(snapshot({ at: '2025-03-12T14:30:15Z', queue: 0, longestWaitSeconds: null }));
    expect(value('queue')).toBe('0');
    expect(value('longestWait')).toBe('—');
    expect($('[data-testid="board-updated"] time')?.getAttribute('datetime')).toBe('2025-03-12T14:30:15.000Z');
  });

  it('keeps the figures when GetSnapshot fails and marks them out of date without pushes', async () => {
    vi.useFakeTimers();
    let clock = 1_000;
    const fake = mount(snapshot(), { now: () => clock });
    await board?.refresh();
    fake.answerWith(() => Promise.reject(new Error('boom')));
    await board?.refresh();
    expect($('[data-testid="board-error"]')?.hidden).toBe(false);
    expect(value('queue')).toBe('4');
    clock += 20_000;
    vi.advanceTimersByTime(1_000);
    expect($('[data-testid="board-updated"]')?.dataset.stale).toBe('true');
    expect($('[data-testid="board-stale"]')?.textContent).toBe(' (may be out of date)');
    fake.emit(snapshot({ at: '2025-03-12T14:30:10Z' }));
    vi.advanceTimersByTime(1_000);
    expect($('[data-testid="board-updated"]')?.dataset.stale).toBe('false');
    expect($('[data-testid="board-stale"]')).toBeNull();
    expect($('[data-testid="board-error"]')?.hidden).toBe(true);
  });

  it('renders French labels', async () => {
    setLanguage('fr');
    mount();
    await flush();
    await board?.refresh();
    expect(tile('queue')?.textContent).toContain('En file d\'attente');
    expect(statusText('nps')).toBe('Objectif manqué');
    expect(target('nps')).toBe('Objectif ≥ 70');
  });

  it('toggles full screen with the Fullscreen API', async () => {
    let fullscreenElement: Element | null = null;
    // happy-dom has no Fullscreen API: provide it on this document for the test
    Object.defineProperty(document, 'fullscreenEnabled', { configurable: true, get: () => true });
    Object.defineProperty(document, 'fullscreenElement', { configurable: true, get: () => fullscreenElement });
    const exit = vi.fn(async () => {
      fullscreenElement = null;
      document.dispatchEvent(new Event('fullscreenchange'));
    });
    document.exitFullscreen = exit;
    mount();
    const element = $('[data-testid="board"]') as HTMLElement;
    element.requestFullscreen = vi.fn(async () => {
      fullscreenElement = element;
      document.dispatchEvent(new Event('fullscreenchange'));
    });
    const button = $('[data-testid="board-fullscreen"]') as HTMLButtonElement;
    expect(button.hidden).toBe(false);
    button.click();
    await flush();
    expect(element.requestFullscreen).toHaveBeenCalled();
    expect(button.textContent).toBe('Exit full screen');
    button.click();
    await flush();
    expect(exit).toHaveBeenCalled();
    expect(button.textContent).toBe('Full screen');
    for (const name of ['fullscreenEnabled', 'fullscreenElement', 'exitFullscreen']) Reflect.deleteProperty(document, name);
  });

  it('offers the board link to managers and admins only', () => {
    const link = createBoardLink(['Operator', 'Manager']);
    expect(link?.dataset.testid).toBe('board-open');
    expect(link?.getAttribute('href')).toBe('#board');
    expect(link?.textContent).toBe('Live board');
    expect(createBoardLink(['admin'])).not.toBeNull();
    expect(createBoardLink(['Operator'])).toBeNull();
  });
});
