import { getLanguage, t } from '../i18n';
import { isOfflineMessage, validItems, type OfflineMessage, type OperatorHub } from '../shared/contract';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import { countUnhandled, mailtoHref, mergeById, sortNewestFirst } from './model';

export interface OfflineMessagesOptions {
  /** A new offline message arrived live (used for the hidden-tab title counter). */
  onNew?(): void;
}

export interface OfflineMessagesFeature {
  element: HTMLElement;
  /** GetOfflineMessages again (first connect, every reconnect). Never rejects. */
  refresh(): Promise<void>;
}

interface ItemView {
  item: HTMLLIElement;
  actions: HTMLElement;
  button: HTMLButtonElement;
  handledLabel: HTMLElement;
}

/** Offline messages left by visitors, newest first; unhandled ones highlighted and counted. */
export function createOfflineMessages(hub: OperatorHub, options: OfflineMessagesOptions = {}): OfflineMessagesFeature {
  let messages: OfflineMessage[] = [];
  let loaded = false;
  let loadFailed = false;
  let actionError: string | null = null;
  const marking = new Set<string>();
  /** Marked handled here: a refresh answered before the server stored it must not undo that. */
  const handledHere = new Set<string>();
  /** Live messages that arrived while a refresh was in flight (its answer may not include them). */
  let receivedDuringRefresh: OfflineMessage[] | null = null;
  const views = new Map<string, ItemView>();

  const badge = el('span', { className: 'panel-badge', testId: 'offline-count' });
  const error = el('p', { className: 'panel-error', testId: 'offline-error', attrs: { role: 'alert' } });
  const list = el('ul', { className: 'offline-list', attrs: { 'aria-labelledby': 'offline-title' } });
  const empty = el('p', { className: 'panel-empty', testId: 'offline-empty', text: t('offline.empty') });
  const element = el(
    'section',
    { className: 'panel offline-panel', testId: 'offline-messages', attrs: { 'aria-labelledby': 'offline-title' } },
    el('h2', { className: 'panel-title', attrs: { id: 'offline-title' } }, el('span', { text: t('offline.heading') }), badge),
    error,
    list,
    empty,
  );

  const createView = (message: OfflineMessage): ItemView => {
    const time = formatTime(message.createdAt);
    const href = mailtoHref(message.email);
    const email = href
      ? el('a', { className: 'offline-email', testId: 'offline-email', text: message.email, attrs: { href } })
      : el('span', { className: 'offline-email', testId: 'offline-email', text: message.email });
    const text = el('div', { className: 'offline-text', testId: 'offline-text', text: message.text });
    text.style.whiteSpace = 'pre-wrap'; // also in styles.css; kept inline so line breaks survive without the stylesheet

    const button = el('button', {
      className: 'secondary',
      testId: 'mark-handled',
      text: t('offline.markHandled'),
      attrs: { type: 'button' },
    });
    button.addEventListener('click', () => void markHandled(message.id));
    const handledLabel = el('span', { className: 'offline-handled', testId: 'offline-handled', text: t('offline.handled') });
    const actions = el('div', { className: 'offline-actions' });

    const item = el(
      'li',
      { className: 'offline-message', testId: 'offline-message', attrs: { 'data-id': message.id } },
      el(
        'div',
        { className: 'offline-top' },
        el('span', { className: 'offline-name', testId: 'offline-name', text: message.name }),
        el('time', { className: 'offline-time', text: time.short, attrs: { datetime: message.createdAt, title: time.full } }),
      ),
      email,
      el(
        'div',
        { className: 'offline-topic' },
        el('span', { className: 'muted', text: `${t('offline.topic')}: ` }),
        el('span', { testId: 'offline-topic', text: message.topic ? message.topic : t('offline.noTopic') }),
      ),
      text,
      actions,
    );
    return { item, actions, button, handledLabel };
  };

  const render = () => {
    const ids = new Set(messages.map((m) => m.id));
    for (const id of views.keys()) if (!ids.has(id)) views.delete(id);

    const nodes = messages.map((message) => {
      let view = views.get(message.id);
      if (!view) {
        view = createView(message);
        views.set(message.id, view);
      }
      view.item.dataset.handled = String(message.handled);
      view.item.classList.toggle('unhandled', !message.handled);
      const busy = marking.has(message.id);
      view.button.disabled = busy;
      view.button.textContent = busy ? t('offline.marking') : t('offline.markHandled');
      const action = message.handled ? view.handledLabel : view.button;
      if (view.actions.firstChild !== action) view.actions.replaceChildren(action);
      return view.item;
    });

    const current = [...list.children];
    if (current.length !== nodes.length || current.some((node, i) => node !== nodes[i])) {
      const focused = document.activeElement;
      list.replaceChildren(...nodes);
      if (focused instanceof HTMLElement && focused !== document.activeElement && list.contains(focused)) focused.focus();
    }

    const unhandled = countUnhandled(messages);
    badge.textContent = String(unhandled);
    badge.setAttribute('aria-label', t('offline.unhandled', { count: unhandled }));
    badge.hidden = unhandled === 0;
    element.dataset.unhandled = String(unhandled);
    const errorText = actionError ?? (loadFailed ? t('offline.loadFailed') : null);
    error.textContent = errorText ?? '';
    error.hidden = errorText === null;
    empty.hidden = !loaded || messages.length > 0;
  };

  const withLocalState = (message: OfflineMessage): OfflineMessage =>
    handledHere.has(message.id) && !message.handled ? { ...message, handled: true } : message;

  let refreshing: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      receivedDuringRefresh = [];
      try {
        const result = validItems(await hub.invoke('GetOfflineMessages'), isOfflineMessage);
        if (result === null) throw new Error('GetOfflineMessages: unexpected payload');
        const fresh = receivedDuringRefresh.filter((live) => !result.some((m) => m.id === live.id));
        messages = sortNewestFirst(mergeById(result, fresh).map(withLocalState));
        loaded = true;
        loadFailed = false;
      } catch {
        loadFailed = true;
      } finally {
        receivedDuringRefresh = null;
        refreshing = null;
      }
      render();
    })();
    return refreshing;
  };

  const markHandled = async (id: string) => {
    if (marking.has(id)) return;
    marking.add(id);
    actionError = null;
    render();
    try {
      await hub.invoke('MarkOfflineMessageHandled', id);
      handledHere.add(id);
      messages = messages.map(withLocalState);
    } catch (err) {
      actionError = hubErrorMessage(err) ?? t('offline.markFailed');
    } finally {
      marking.delete(id);
    }
    render();
  };

  hub.on('OfflineMessageReceived', (payload) => {
    if (!isOfflineMessage(payload)) return;
    const isNew = !messages.some((m) => m.id === payload.id);
    receivedDuringRefresh?.push(payload);
    messages = sortNewestFirst(mergeById(messages, [withLocalState(payload)]));
    if (isNew && !payload.handled) options.onNew?.();
    render();
  });

  render();
  return { element, refresh };
}

function formatTime(iso: string): { short: string; full: string } {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { short: iso, full: iso };
  const language = getLanguage();
  return {
    short: new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'short' }).format(date),
    full: new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'medium' }).format(date),
  };
}
