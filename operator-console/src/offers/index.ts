import { t } from '../i18n';
import {
  OFFER_EXPIRED_ERROR,
  isChatOffer,
  isOfferWithdrawnEvent,
  validItems,
  type ChatOffer,
  type OperatorHub,
} from '../shared/contract';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import { secondsLeft } from './model';

export interface OffersOptions {
  /** A new offer arrived live (hidden-tab title counter, sound, notification). */
  onNew?(offer: ChatOffer): void;
  /** Clock, for tests. */
  now?: () => number;
  /** How often the countdowns are updated while offers are shown. */
  tickMs?: number;
}

export interface OffersFeature {
  element: HTMLElement;
  /**
   * Runs GetState (first connect, every reconnect) and applies its `offers`; returns the state for the
   * other features. Offers received or withdrawn live while GetState is in flight are not undone by its answer.
   */
  sync<T extends { offers?: unknown }>(getState: () => Promise<T>): Promise<T>;
  dispose(): void;
}

type Action = 'accept' | 'decline';

interface ItemView {
  item: HTMLLIElement;
  name: HTMLElement;
  topic: HTMLElement;
  countdown: HTMLElement;
  accept: HTMLButtonElement;
  decline: HTMLButtonElement;
}

/** Live changes during a GetState call. */
interface SyncWindow {
  added: Map<string, ChatOffer>;
  removed: Set<string>;
}

/**
 * Offer mode: chats offered to this operator, shown at the top of the left column with a countdown to
 * expiresAt. Gone on accept/decline success, "OfferWithdrawn", "ChatAssigned"/"ChatEnded" for the
 * conversation, a HubException saying the offer expired, or when the countdown reaches 0.
 */
export function createOffers(hub: OperatorHub, options: OffersOptions = {}): OffersFeature {
  const now = options.now ?? (() => Date.now());
  const tickMs = options.tickMs ?? 250;
  let offers = new Map<string, ChatOffer>();
  const busy = new Map<string, Action>();
  const views = new Map<string, ItemView>();
  let error: string | null = null;
  let pending: SyncWindow | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let disposed = false;

  const count = el('span', { className: 'panel-badge', testId: 'offers-count' });
  const errorBox = el('p', { className: 'panel-error', testId: 'offer-error', attrs: { role: 'alert' } });
  const list = el('ul', { className: 'offers-list', attrs: { 'aria-labelledby': 'offers-title' } });
  const element = el(
    'section',
    { className: 'panel offers-panel', testId: 'offers', attrs: { 'aria-labelledby': 'offers-title' } },
    el('h2', { className: 'panel-title', attrs: { id: 'offers-title' } }, el('span', { text: t('offers.heading') }), count),
    errorBox,
    list,
  );

  const createView = (id: string): ItemView => {
    const name = el('span', { className: 'offer-name', testId: 'offer-visitor' });
    const countdown = el('span', { className: 'offer-countdown', testId: 'offer-countdown', attrs: { role: 'timer' } });
    const topic = el('span', { className: 'offer-topic', testId: 'offer-topic' });
    const accept = el('button', { className: 'offer-accept', testId: 'accept-offer', attrs: { type: 'button' } });
    const decline = el('button', { className: 'secondary offer-decline', testId: 'decline-offer', attrs: { type: 'button' } });
    accept.addEventListener('click', () => void act(id, 'accept'));
    decline.addEventListener('click', () => void act(id, 'decline'));
    const item = el(
      'li',
      { className: 'offer', testId: 'offer', attrs: { 'data-conversation-id': id } },
      el('div', { className: 'offer-top' }, name, countdown),
      topic,
      el('div', { className: 'offer-actions' }, accept, decline),
    );
    return { item, name, topic, countdown, accept, decline };
  };

  /** Drops offers whose countdown reached 0 (unless an accept/decline for them is still in flight). */
  const pruneExpired = (at: number) => {
    for (const [id, offer] of offers) if (!busy.has(id) && secondsLeft(offer.expiresAt, at) <= 0) remove(id);
  };

  const updateCountdowns = (at: number) => {
    for (const [id, view] of views) {
      const offer = offers.get(id);
      if (!offer) continue;
      const seconds = secondsLeft(offer.expiresAt, at);
      view.countdown.textContent = t('offers.countdown', { seconds });
      view.item.dataset.secondsLeft = String(seconds);
      view.item.classList.toggle('urgent', seconds <= 10);
    }
  };

  const syncTimer = () => {
    if (offers.size > 0 && timer === null && !disposed) timer = setInterval(tick, tickMs);
    else if ((offers.size === 0 || disposed) && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };

  const render = () => {
    const at = now();
    pruneExpired(at);
    const sorted = [...offers.values()].sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
    for (const id of views.keys()) if (!offers.has(id)) views.delete(id);

    const nodes = sorted.map((offer) => {
      const id = offer.conversationId;
      let view = views.get(id);
      if (!view) {
        view = createView(id);
        views.set(id, view);
      }
      view.name.textContent = offer.visitorName;
      view.topic.textContent = offer.topic ? offer.topic : t('offers.noTopic');
      const action = busy.get(id);
      view.accept.disabled = action !== undefined;
      view.decline.disabled = action !== undefined;
      view.accept.textContent = action === 'accept' ? t('offers.accepting') : t('offers.accept');
      view.decline.textContent = action === 'decline' ? t('offers.declining') : t('offers.decline');
      view.accept.setAttribute('aria-label', t('offers.acceptLabel', { name: offer.visitorName }));
      view.decline.setAttribute('aria-label', t('offers.declineLabel', { name: offer.visitorName }));
      return view.item;
    });
    updateCountdowns(at);

    // Reuse item nodes and only reorder when needed, so a focused button keeps focus.
    const current = [...list.children];
    if (current.length !== nodes.length || current.some((node, i) => node !== nodes[i])) {
      const focused = document.activeElement;
      const focusWasInList = focused instanceof HTMLElement && list.contains(focused);
      list.replaceChildren(...nodes);
      if (focusWasInList && focused !== document.activeElement) {
        if (list.contains(focused)) focused.focus();
        else views.get(sorted[0]?.conversationId ?? '')?.accept.focus(); // its offer is gone: next one, if any
      }
    }

    count.textContent = String(offers.size);
    count.setAttribute('aria-label', t('offers.count', { count: offers.size }));
    count.hidden = offers.size === 0;
    errorBox.textContent = error ?? '';
    errorBox.hidden = error === null;
    element.hidden = offers.size === 0 && error === null;
    element.dataset.count = String(offers.size);
    syncTimer();
  };

  function tick() {
    const before = offers.size;
    const at = now();
    pruneExpired(at);
    if (offers.size !== before) render();
    else updateCountdowns(at);
  }

  function remove(id: string) {
    offers.delete(id);
    pending?.added.delete(id);
    pending?.removed.add(id);
  }

  const add = (offer: ChatOffer) => {
    const isNew = !offers.has(offer.conversationId);
    offers.set(offer.conversationId, offer);
    pending?.removed.delete(offer.conversationId);
    pending?.added.set(offer.conversationId, offer);
    if (isNew) {
      error = null; // an old error next to a new offer would be confusing
      if (secondsLeft(offer.expiresAt, now()) > 0) options.onNew?.(offer);
    }
    render();
  };

  const act = async (id: string, action: Action) => {
    if (busy.has(id) || !offers.has(id)) return;
    busy.set(id, action);
    error = null;
    render();
    try {
      if (action === 'accept') await hub.invoke('AcceptOffer', id);
      else await hub.invoke('DeclineOffer', id);
      busy.delete(id);
      remove(id); // after an accept, "ChatAssigned" brings the chat into the chat list
    } catch (err) {
      busy.delete(id);
      const text = hubErrorMessage(err);
      error = text ?? t(action === 'accept' ? 'offers.acceptFailed' : 'offers.declineFailed');
      if (text !== null && text.trim() === OFFER_EXPIRED_ERROR) remove(id);
    }
    render();
  };

  const sync = async <T extends { offers?: unknown }>(getState: () => Promise<T>): Promise<T> => {
    const window: SyncWindow = { added: new Map(), removed: new Set() };
    pending = window;
    try {
      const state = await getState();
      if (pending === window) {
        // A server without offer mode sends no `offers`: nothing is pending then.
        const fromServer = validItems(state.offers ?? [], isChatOffer) ?? [];
        const next = new Map<string, ChatOffer>();
        for (const offer of fromServer) if (!window.removed.has(offer.conversationId)) next.set(offer.conversationId, offer);
        for (const offer of window.added.values()) next.set(offer.conversationId, offer);
        offers = next;
        render();
      }
      return state;
    } finally {
      if (pending === window) pending = null;
    }
  };

  const conversationIdOf = (payload: unknown): string | null =>
    isOfferWithdrawnEvent(payload) ? payload.conversationId : null;

  const removeFromEvent = (payload: unknown) => {
    const id = conversationIdOf(payload);
    if (id === null) return;
    remove(id);
    render();
  };

  hub.on('ChatOffered', (payload) => {
    if (isChatOffer(payload)) add(payload);
  });
  hub.on('OfferWithdrawn', removeFromEvent);
  hub.on('ChatAssigned', removeFromEvent);
  hub.on('ChatEnded', removeFromEvent);

  render();
  return {
    element,
    sync,
    dispose() {
      disposed = true;
      syncTimer();
    },
  };
}
