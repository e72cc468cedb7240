// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OFFER_EXPIRED_ERROR, type ChatOffer, type ChatSummary, type OperatorState } from '../shared/contract';
import { fakeHub, flush, hubException, type FakeHubImpl } from '../shared/testing/fakeHub';
import { createOffers, type OffersFeature } from './index';
import { secondsLeft } from './model';

const NOW = Date.parse('2025-01-01T10:00:00Z');
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

const ann: ChatOffer = { conversationId: 'c1', visitorName: '<b>Ann</b>', topic: 'billing', expiresAt: at(30) };
const bob: ChatOffer = { conversationId: 'c2', visitorName: 'Bob', topic: null, expiresAt: at(20) };

const state = (offers: unknown[]): OperatorState =>
  ({ operatorId: 'op', displayName: 'Op', status: 'online', chats: [], offers }) as OperatorState;
const summary = (conversationId: string): ChatSummary => ({
  conversationId,
  visitorName: 'x',
  topic: 't',
  status: 'assigned',
  requestedAt: at(-60),
  lastMessage: null,
});

let feature: OffersFeature | undefined;
let clock = NOW;
let onNew = vi.fn();
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];
const ids = () => $$('[data-testid="offer"]').map((i) => i.dataset.conversationId);
const button = (id: string, testId: string) => $(`[data-conversation-id="${id}"] [data-testid="${testId}"]`) as HTMLButtonElement;

beforeEach(() => {
  clock = NOW;
  onNew = vi.fn();
  document.body.replaceChildren();
});
afterEach(() => {
  feature?.dispose();
  feature = undefined;
  vi.useRealTimers();
});

/** Mounts the feature and applies GetState (like main.ts on connect). */
async function mount(impl: FakeHubImpl, options: { realClock?: boolean } = {}) {
  const fake = fakeHub(impl);
  feature = createOffers(fake.hub, options.realClock ? { onNew } : { onNew, now: () => clock });
  document.body.append(feature.element);
  if (impl.GetState) await feature.sync(() => fake.hub.invoke('GetState'));
  return fake;
}

describe('offers (DOM)', () => {
  it('is hidden while nothing is offered', async () => {
    await mount({ GetState: async () => state([]) });
    expect($('[data-testid="offers"]')?.hidden).toBe(true);
    expect($$('[data-testid="offer"]')).toHaveLength(0);
  });

  it('renders pending offers from GetState, most urgent first, names as text', async () => {
    await mount({ GetState: async () => state([ann, bob]) });
    expect($('[data-testid="offers"]')?.hidden).toBe(false);
    expect(ids()).toEqual(['c2', 'c1']);
    const item = $('[data-conversation-id="c1"]');
    expect(item?.querySelector('[data-testid="offer-visitor"]')?.textContent).toBe('<b>Ann</b>');
    expect(document.querySelector('b')).toBeNull();
    expect(item?.querySelector('[data-testid="offer-topic"]')?.textContent).toBe('billing');
    expect(item?.querySelector('[data-testid="offer-countdown"]')?.textContent).toBe('30 s left');
    expect($('[data-conversation-id="c2"] [data-testid="offer-topic"]')?.textContent).toBe('No topic');
    expect($('[data-testid="offers-count"]')?.textContent).toBe('2');
    expect(onNew).not.toHaveBeenCalled();
  });

  it('renders an offer from the ChatOffered callback and drops malformed ones', async () => {
    const fake = await mount({ GetState: async () => state([]) });
    fake.emit('ChatOffered', ann);
    fake.emit('ChatOffered', { conversationId: 'bad' } as unknown as ChatOffer);
    expect(ids()).toEqual(['c1']);
    expect($('[data-testid="offer-visitor"]')?.textContent).toBe('<b>Ann</b>');
    expect(onNew).toHaveBeenCalledTimes(1);
  });

  it('drops malformed and already expired offers from GetState', async () => {
    await mount({ GetState: async () => state([ann, { conversationId: 7 }, { ...bob, expiresAt: at(-1) }]) });
    expect(ids()).toEqual(['c1']);
  });

  it('Accept invokes AcceptOffer with the conversation id and removes the offer', async () => {
    const fake = await mount({ GetState: async () => state([ann, bob]), AcceptOffer: async () => undefined });
    button('c1', 'accept-offer').click();
    expect(button('c1', 'accept-offer').disabled).toBe(true);
    expect(button('c1', 'decline-offer').disabled).toBe(true);
    await flush();
    expect(fake.calls.filter((c) => c.method === 'AcceptOffer').map((c) => c.args)).toEqual([['c1']]);
    expect(fake.count('DeclineOffer')).toBe(0);
    expect(ids()).toEqual(['c2']);
    expect($('[data-testid="offer-error"]')?.hidden).toBe(true);
  });

  it('Decline invokes DeclineOffer with the conversation id and removes the offer', async () => {
    const fake = await mount({ GetState: async () => state([ann, bob]), DeclineOffer: async () => undefined });
    button('c2', 'decline-offer').click();
    await flush();
    expect(fake.calls.filter((c) => c.method === 'DeclineOffer').map((c) => c.args)).toEqual([['c2']]);
    expect(fake.count('AcceptOffer')).toBe(0);
    expect(ids()).toEqual(['c1']);
  });

  it('removes the offer on OfferWithdrawn and on ChatAssigned/ChatEnded for that conversation only', async () => {
    const third: ChatOffer = { ...ann, conversationId: 'c3', visitorName: 'Cy' };
    const fake = await mount({ GetState: async () => state([ann, bob, third]) });
    fake.emit('OfferWithdrawn', { conversationId: 'c2' });
    expect(ids()).toEqual(['c1', 'c3']);
    fake.emit('ChatAssigned', summary('other'));
    expect(ids()).toEqual(['c1', 'c3']);
    fake.emit('ChatAssigned', summary('c1'));
    expect(ids()).toEqual(['c3']);
    fake.emit('ChatEnded', { conversationId: 'c3', endedBy: 'visitor' });
    expect(ids()).toEqual([]);
    expect($('[data-testid="offers"]')?.hidden).toBe(true);
  });

  it('counts down every second and removes the offer when it reaches 0', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    const fake = await mount({}, { realClock: true });
    fake.emit('ChatOffered', { ...ann, expiresAt: at(3) });
    const countdown = () => $('[data-testid="offer-countdown"]')?.textContent;
    expect(countdown()).toBe('3 s left');
    vi.advanceTimersByTime(1000);
    expect(countdown()).toBe('2 s left');
    vi.advanceTimersByTime(1000);
    expect(countdown()).toBe('1 s left');
    vi.advanceTimersByTime(999);
    expect(ids()).toEqual(['c1']);
    vi.advanceTimersByTime(1);
    expect(ids()).toEqual([]);
    expect($('[data-testid="offers"]')?.hidden).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // no ticking while nothing is offered
  });

  it('shows the HubException text and removes the offer when the server says it expired', async () => {
    await mount({
      GetState: async () => state([ann, bob]),
      AcceptOffer: async () => {
        throw hubException('AcceptOffer', OFFER_EXPIRED_ERROR);
      },
    });
    button('c1', 'accept-offer').click();
    await flush();
    const error = $('[data-testid="offer-error"]');
    expect(error?.hidden).toBe(false);
    expect(error?.textContent).toBe(OFFER_EXPIRED_ERROR);
    expect(ids()).toEqual(['c2']);
  });

  it('keeps the offer and shows the error after another failure, so it can be retried', async () => {
    let fail = true;
    const fake = await mount({
      GetState: async () => state([ann]),
      DeclineOffer: async () => {
        if (fail) throw hubException('DeclineOffer', 'Something <i>else</i>.');
      },
    });
    button('c1', 'decline-offer').click();
    await flush();
    expect($('[data-testid="offer-error"]')?.textContent).toBe('Something <i>else</i>.');
    expect(document.querySelector('i')).toBeNull();
    expect(ids()).toEqual(['c1']);
    expect(button('c1', 'decline-offer').disabled).toBe(false);

    fail = false;
    button('c1', 'decline-offer').click();
    expect($('[data-testid="offer-error"]')?.hidden).toBe(true);
    await flush();
    expect(fake.count('DeclineOffer')).toBe(2);
    expect(ids()).toEqual([]);
  });

  it('shows a generic message for transport errors', async () => {
    await mount({
      GetState: async () => state([ann]),
      AcceptOffer: async () => {
        throw new Error("Cannot send data if the connection is not in the 'Connected' State.");
      },
    });
    button('c1', 'accept-offer').click();
    await flush();
    expect($('[data-testid="offer-error"]')?.textContent).toBe('Could not accept the chat. Check your connection and try again.');
    expect(ids()).toEqual(['c1']);
  });

  it('a reconnect replaces the offers, keeping changes that arrived while GetState was in flight', async () => {
    let release: (value: OperatorState) => void = () => undefined;
    const fake = await mount({ GetState: async () => state([ann, bob]) });
    expect(ids()).toEqual(['c2', 'c1']);

    const syncing = feature!.sync(() => new Promise<OperatorState>((resolve) => (release = resolve)));
    const live: ChatOffer = { conversationId: 'c9', visitorName: 'Live', topic: null, expiresAt: at(25) };
    fake.emit('ChatOffered', live);
    fake.emit('OfferWithdrawn', { conversationId: 'c1' });
    release(state([ann])); // answered before the server processed both events
    const result = await syncing;
    expect(result.displayName).toBe('Op');
    expect(ids()).toEqual(['c9']);
  });

  it('tolerates a server without offer mode (no offers in GetState)', async () => {
    await mount({ GetState: async () => ({ operatorId: 'op', displayName: 'Op', status: 'online', chats: [] }) });
    expect($('[data-testid="offers"]')?.hidden).toBe(true);
  });
});

describe('secondsLeft', () => {
  it('rounds up and clamps at 0', () => {
    expect(secondsLeft(at(30), NOW)).toBe(30);
    expect(secondsLeft(at(0.2), NOW)).toBe(1);
    expect(secondsLeft(at(0), NOW)).toBe(0);
    expect(secondsLeft(at(-5), NOW)).toBe(0);
    expect(secondsLeft('nope', NOW)).toBe(0);
  });
});
