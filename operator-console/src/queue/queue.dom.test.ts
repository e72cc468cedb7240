// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../shared/contract';
import { fakeHub, flush, hubException, type FakeHubImpl } from '../shared/testing/fakeHub';
import { createQueue, type QueueFeature } from './index';
import { formatWaiting } from './waiting';

const NOW = Date.parse('2025-01-01T10:00:00Z');

const entries: QueueEntry[] = [
  { conversationId: 'c1', visitorName: '<b>Ann</b>', topic: 'billing', requestedAt: '2025-01-01T09:58:00Z', position: 1 },
  { conversationId: 'c2', visitorName: 'Bob', topic: null, requestedAt: '2025-01-01T09:59:30Z', position: 2 },
];

let queue: QueueFeature;
let clock = NOW;
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];

beforeEach(() => {
  clock = NOW;
  document.body.replaceChildren();
});
afterEach(() => queue.dispose());

async function mount(impl: FakeHubImpl, tickMs = 5000) {
  const fake = fakeHub(impl);
  queue = createQueue(fake.hub, { now: () => clock, tickMs });
  document.body.append(queue.element);
  await queue.refresh();
  return fake;
}

describe('queue panel (DOM)', () => {
  it('renders entries with positions and waiting time, names as text', async () => {
    await mount({ GetQueue: async () => entries });
    const items = $$('[data-testid="queue"] [data-testid="queue-item"]');
    expect(items.map((i) => i.dataset.conversationId)).toEqual(['c1', 'c2']);
    expect(items[0]?.querySelector('[data-testid="queue-visitor"]')?.textContent).toBe('<b>Ann</b>');
    expect(document.querySelector('b')).toBeNull();
    expect(items[0]?.querySelector('[data-testid="queue-position"]')?.textContent).toContain('1');
    expect(items[1]?.querySelector('[data-testid="queue-position"]')?.textContent).toContain('2');
    expect(items[0]?.querySelector('[data-testid="queue-topic"]')?.textContent).toBe('billing');
    expect(items[0]?.querySelector('[data-testid="queue-waiting"]')?.textContent).toContain('2 min');
    expect(items[1]?.querySelector('[data-testid="queue-waiting"]')?.textContent).toContain('< 1 min');
    expect($('[data-testid="queue-empty"]')?.hidden).toBe(true);
    expect($('[data-testid="queue-count"]')?.textContent).toBe('2');
  });

  it('updates the waiting time every few seconds', async () => {
    await mount({ GetQueue: async () => entries }, 10);
    clock = NOW + 3 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect($('[data-conversation-id="c1"] [data-testid="queue-waiting"]')?.textContent).toContain('5 min');
  });

  it('shows "Nobody is waiting" for an empty queue', async () => {
    await mount({ GetQueue: async () => [] });
    expect($$('[data-testid="queue-item"]')).toHaveLength(0);
    expect($('[data-testid="queue-empty"]')?.hidden).toBe(false);
    expect($('[data-testid="queue-empty"]')?.textContent).toContain('Nobody is waiting');
  });

  it('Take invokes TakeChat with the conversation id', async () => {
    const fake = await mount({ GetQueue: async () => entries, TakeChat: async () => undefined });
    $('[data-conversation-id="c2"] [data-testid="take"]')?.click();
    await flush();
    expect(fake.calls.filter((c) => c.method === 'TakeChat').map((c) => c.args)).toEqual([['c2']]);
    expect($('[data-testid="queue-error"]')?.hidden).toBe(true);
  });

  it('shows the HubException text when taking fails', async () => {
    await mount({
      GetQueue: async () => entries,
      TakeChat: async () => {
        throw hubException('TakeChat', 'This chat is no longer waiting.');
      },
    });
    const take = $('[data-conversation-id="c1"] [data-testid="take"]') as HTMLButtonElement;
    take.click();
    expect(take.disabled).toBe(true);
    await flush();
    const error = $('[data-testid="queue"] [data-testid="queue-error"]');
    expect(error?.hidden).toBe(false);
    expect(error?.textContent).toBe('This chat is no longer waiting.');
    expect(take.disabled).toBe(false);
  });

  it('refreshes on QueueChanged and after ChatAssigned/ChatEnded', async () => {
    let current = entries;
    const fake = await mount({ GetQueue: async () => current });
    expect(fake.count('GetQueue')).toBe(1);

    current = [{ ...entries[1]!, position: 1 }];
    fake.emit('QueueChanged', undefined);
    await flush();
    expect(fake.count('GetQueue')).toBe(2);
    expect($$('[data-testid="queue-item"]').map((i) => i.dataset.conversationId)).toEqual(['c2']);
    expect($('[data-testid="queue-position"]')?.textContent).toContain('1');

    current = [];
    fake.emit('ChatAssigned', { conversationId: 'c2', visitorName: 'Bob', topic: 'x', status: 'assigned', requestedAt: '', lastMessage: null });
    await flush();
    expect(fake.count('GetQueue')).toBe(3);
    expect($('[data-testid="queue-empty"]')?.hidden).toBe(false);

    fake.emit('ChatEnded', { conversationId: 'c2', endedBy: 'visitor' });
    await flush();
    expect(fake.count('GetQueue')).toBe(4);
  });

  it('coalesces a burst of QueueChanged into at most one extra GetQueue', async () => {
    const fake = await mount({ GetQueue: async () => entries });
    fake.emit('QueueChanged', undefined);
    fake.emit('QueueChanged', undefined);
    fake.emit('QueueChanged', undefined);
    await flush();
    await flush();
    expect(fake.count('GetQueue')).toBe(3);
  });

  it('drops malformed entries', async () => {
    await mount({ GetQueue: async () => [...entries, { conversationId: 7 } as unknown as QueueEntry] });
    expect($$('[data-testid="queue-item"]')).toHaveLength(2);
  });
});

describe('formatWaiting', () => {
  it('formats minutes and hours and clamps clock skew', () => {
    expect(formatWaiting('2025-01-01T10:00:30Z', NOW)).toBe('< 1 min');
    expect(formatWaiting('2025-01-01T09:57:59Z', NOW)).toBe('2 min');
    expect(formatWaiting('2025-01-01T08:55:00Z', NOW)).toBe('1 h 5 min');
  });
});
