import { t } from '../i18n';
import { isQueueEntry, validItems, type OperatorHub, type QueueEntry } from '../shared/contract';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import { formatWaiting } from './waiting';

export interface QueueOptions {
  /** Clock, for tests. */
  now?: () => number;
  /** How often the waiting times are updated. */
  tickMs?: number;
}

export interface QueueFeature {
  element: HTMLElement;
  /** GetQueue again (first connect, every reconnect). Never rejects. */
  refresh(): Promise<void>;
  dispose(): void;
}

interface ItemView {
  item: HTMLLIElement;
  name: HTMLElement;
  topic: HTMLElement;
  position: HTMLElement;
  waiting: HTMLElement;
  take: HTMLButtonElement;
  requestedAt: string;
}

/**
 * The waiting chats this operator may take. Refreshed on connect/reconnect, on "QueueChanged",
 * and after ChatAssigned/ChatEnded; "Take" calls TakeChat (a ChatAssigned follows on success).
 */
export function createQueue(hub: OperatorHub, options: QueueOptions = {}): QueueFeature {
  const now = options.now ?? (() => Date.now());
  let entries: QueueEntry[] = [];
  let loaded = false;
  let loadFailed = false;
  let takeError: string | null = null;
  const taking = new Set<string>();
  const views = new Map<string, ItemView>();

  const count = el('span', { className: 'panel-badge', testId: 'queue-count' });
  const error = el('p', { className: 'panel-error', testId: 'queue-error', attrs: { role: 'alert' } });
  const list = el('ul', { className: 'queue-list', attrs: { 'aria-labelledby': 'queue-title' } });
  const empty = el('p', { className: 'panel-empty', testId: 'queue-empty', text: t('queue.empty') });
  const element = el(
    'section',
    { className: 'panel queue-panel', testId: 'queue', attrs: { 'aria-labelledby': 'queue-title' } },
    el('h2', { className: 'panel-title', attrs: { id: 'queue-title' } }, el('span', { text: t('queue.heading') }), count),
    error,
    list,
    empty,
  );

  const createView = (id: string): ItemView => {
    const name = el('span', { className: 'queue-item-name', testId: 'queue-visitor' });
    const position = el('span', { className: 'queue-position', testId: 'queue-position' });
    const topic = el('span', { className: 'queue-item-topic', testId: 'queue-topic' });
    const waiting = el('span', { className: 'queue-waiting', testId: 'queue-waiting' });
    const take = el('button', { className: 'queue-take', testId: 'take', text: t('queue.take'), attrs: { type: 'button' } });
    take.addEventListener('click', () => void takeChat(id));
    const item = el(
      'li',
      { className: 'queue-item', testId: 'queue-item', attrs: { 'data-conversation-id': id } },
      el('div', { className: 'queue-item-top' }, name, position),
      topic,
      el('div', { className: 'queue-item-bottom' }, waiting, take),
    );
    return { item, name, topic, position, waiting, take, requestedAt: '' };
  };

  const updateWaiting = () => {
    const at = now();
    for (const view of views.values()) view.waiting.textContent = t('queue.waiting', { time: formatWaiting(view.requestedAt, at) });
  };

  const render = () => {
    const ids = new Set(entries.map((e) => e.conversationId));
    for (const id of views.keys()) if (!ids.has(id)) views.delete(id);

    const nodes = entries.map((entry) => {
      const id = entry.conversationId;
      let view = views.get(id);
      if (!view) {
        view = createView(id);
        views.set(id, view);
      }
      view.requestedAt = entry.requestedAt;
      view.name.textContent = entry.visitorName;
      view.topic.textContent = entry.topic ? entry.topic : t('queue.noTopic');
      view.position.textContent = t('queue.position', { position: entry.position });
      view.item.dataset.position = String(entry.position);
      const busy = taking.has(id);
      view.take.disabled = busy;
      view.take.textContent = busy ? t('queue.taking') : t('queue.take');
      view.take.setAttribute('aria-label', t('queue.takeLabel', { name: entry.visitorName }));
      return view.item;
    });
    updateWaiting();

    // Reuse the item nodes and only reorder when needed, so a focused "Take" button keeps focus.
    const current = [...list.children];
    if (current.length !== nodes.length || current.some((node, i) => node !== nodes[i])) {
      const focused = document.activeElement;
      list.replaceChildren(...nodes);
      if (focused instanceof HTMLElement && focused !== document.activeElement && list.contains(focused)) focused.focus();
    }

    count.textContent = String(entries.length);
    count.setAttribute('aria-label', t('queue.count', { count: entries.length }));
    count.hidden = entries.length === 0;
    const errorText = takeError ?? (loadFailed ? t('queue.loadFailed') : null);
    error.textContent = errorText ?? '';
    error.hidden = errorText === null;
    empty.hidden = !loaded || entries.length > 0;
    element.dataset.count = String(entries.length);
  };

  const loadOnce = async () => {
    try {
      const result = validItems(await hub.invoke('GetQueue'), isQueueEntry);
      if (result === null) throw new Error('GetQueue: unexpected payload');
      entries = result;
      loaded = true;
      loadFailed = false;
    } catch {
      loadFailed = true; // keep what we had; the next QueueChanged or reconnect tries again
    }
    render();
  };

  // Coalesce bursts of QueueChanged: at most one GetQueue in flight, plus one more if asked meanwhile.
  let running: Promise<void> | null = null;
  let again = false;
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const takeChat = async (id: string) => {
    if (taking.has(id)) return;
    taking.add(id);
    takeError = null;
    render();
    try {
      await hub.invoke('TakeChat', id);
    } catch (err) {
      takeError = hubErrorMessage(err) ?? t('queue.takeFailed');
    } finally {
      taking.delete(id);
    }
    render();
    void refresh();
  };

  hub.on('QueueChanged', () => void refresh());
  hub.on('ChatAssigned', () => void refresh());
  hub.on('ChatEnded', () => void refresh());

  const timer = setInterval(updateWaiting, options.tickMs ?? 5000);
  render();

  return {
    element,
    refresh,
    dispose() {
      clearInterval(timer);
    },
  };
}
