import { t } from '../i18n';
import { el } from '../shared/dom';
import { lastMessage } from './messages';
import { isEnded, type ChatEntry } from './state';
import { countUnread } from './unread';
import { LONG_WAIT_MS, waitedMs, waitingSince } from './waiting';

export interface ChatListView {
  element: HTMLElement;
  render(entries: readonly ChatEntry[], activeId: string | null): void;
  /** Update the waiting times in place (no re-render). */
  tick(): void;
}

export interface ChatListOptions {
  onSelect(conversationId: string): void;
  now(): number;
  decorate(entry: ChatEntry, item: HTMLElement): void;
}

export function createChatList(options: ChatListOptions): ChatListView {
  const list = el('ul', { className: 'chat-list', testId: 'chat-list', attrs: { 'aria-label': t('chats.heading') } });
  list.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-conversation-id]') : null;
    const id = target?.dataset.conversationId;
    if (id) options.onSelect(id);
  });
  const element = el(
    'nav',
    { className: 'chat-sidebar', attrs: { 'aria-label': t('chats.heading') } },
    el('h2', { className: 'sidebar-title', text: t('chats.heading') }),
    list,
    el('p', { className: 'hint', text: t('chats.keyboardHint') }),
  );

  const tick = () => {
    const now = options.now();
    for (const node of list.querySelectorAll<HTMLElement>('[data-testid="waiting-time"]')) updateWaiting(node, now);
  };

  return {
    element,
    tick,
    render(entries, activeId) {
      if (entries.length === 0) {
        list.replaceChildren(el('li', { className: 'chat-list-empty', text: t('chats.empty') }));
        return;
      }
      list.replaceChildren(
        ...entries.map((entry, index) => {
          const item = renderItem(entry, entry.summary.conversationId === activeId, index);
          options.decorate(entry, item);
          return el('li', {}, item);
        }),
      );
      tick();
    },
  };
}

function updateWaiting(node: HTMLElement, now: number): void {
  const since = node.dataset.since ?? '';
  const waited = waitedMs(since, now);
  if (waited === null) {
    node.hidden = true;
    return;
  }
  const seconds = Math.floor(waited / 1000);
  node.hidden = false;
  node.textContent =
    seconds < 60
      ? t('chats.waitingSeconds', { seconds })
      : seconds < 3600
        ? t('chats.waitingMinutes', { minutes: Math.floor(seconds / 60) })
        : t('chats.waitingHours', { hours: Math.floor(seconds / 3600), minutes: Math.floor((seconds % 3600) / 60) });
  const long = waited >= LONG_WAIT_MS;
  node.classList.toggle('waiting-long', long);
  node.dataset.long = String(long);
  node.setAttribute('aria-label', t('chats.waitingLabel', { time: node.textContent }));
}

function renderItem(entry: ChatEntry, active: boolean, index: number): HTMLElement {
  const { summary } = entry;
  const ended = isEnded(entry);
  const unread = countUnread(entry.messages, entry.seenSequence);
  const last = lastMessage(entry.messages);
  const unreadBadge = el('span', {
    className: 'unread',
    testId: 'unread',
    text: String(unread),
    attrs: { 'aria-label': t('chats.unread', { count: unread }), 'data-count': String(unread) },
  });
  unreadBadge.hidden = unread === 0;
  const top = el('span', { className: 'chat-item-top' }, el('span', { className: 'chat-item-name', text: summary.visitorName }));
  if (entry.invited && entry.closed === null) {
    top.append(el('span', { className: 'invited-badge', testId: 'chat-item-invited', text: t('chats.invited') }));
  }
  if (entry.closed === 'transferred') {
    top.append(el('span', { className: 'ended-badge', testId: 'chat-item-transferred', text: t('chats.transferred') }));
  } else if (entry.closed === 'left') {
    top.append(el('span', { className: 'ended-badge', testId: 'chat-item-left', text: t('chats.left') }));
  } else if (ended) {
    top.append(el('span', { className: 'ended-badge', testId: 'chat-item-ended', text: t('chats.ended') }));
  }
  top.append(unreadBadge);

  const since = ended || entry.closed !== null ? null : waitingSince(entry.messages, entry.pending.length > 0);
  const bottom = el(
    'span',
    { className: 'chat-item-bottom' },
    el('span', {
      className: last ? 'chat-item-preview' : 'chat-item-preview muted',
      text: last ? last.text : t('chats.noMessages'),
    }),
  );
  if (since !== null) bottom.append(el('span', { className: 'waiting-time', testId: 'waiting-time', attrs: { 'data-since': since } }));

  const button = el(
    'button',
    {
      className: 'chat-item',
      testId: 'chat-item',
      attrs: {
        type: 'button',
        'data-conversation-id': summary.conversationId,
        'data-status': summary.status,
      },
    },
    top,
    el('span', { className: 'chat-item-topic', text: summary.topic }),
    bottom,
  );
  if (index < 9) button.setAttribute('aria-keyshortcuts', `Alt+${index + 1}`);
  if (ended || entry.closed !== null) button.dataset.ended = 'true';
  if (entry.closed) button.dataset.closed = entry.closed;
  if (entry.invited) button.dataset.invited = 'true';
  if (active) button.setAttribute('aria-current', 'true');
  return button;
}
