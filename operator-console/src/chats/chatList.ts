import { t } from '../i18n';
import { el } from '../shared/dom';
import { lastMessage } from './messages';
import { isEnded, type ChatEntry } from './state';
import { countUnread } from './unread';

export interface ChatListView {
  element: HTMLElement;
  render(entries: readonly ChatEntry[], activeId: string | null): void;
}

export function createChatList(onSelect: (conversationId: string) => void): ChatListView {
  const list = el('ul', { className: 'chat-list', testId: 'chat-list', attrs: { 'aria-label': t('chats.heading') } });
  list.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-conversation-id]') : null;
    const id = target?.dataset.conversationId;
    if (id) onSelect(id);
  });

  const element = el(
    'nav',
    { className: 'chat-sidebar', attrs: { 'aria-label': t('chats.heading') } },
    el('h2', { className: 'sidebar-title', text: t('chats.heading') }),
    list,
    el('p', { className: 'hint', text: t('chats.keyboardHint') }),
  );

  return {
    element,
    render(entries, activeId) {
      if (entries.length === 0) {
        list.replaceChildren(el('li', { className: 'chat-list-empty', text: t('chats.empty') }));
        return;
      }
      list.replaceChildren(...entries.map((entry) => renderItem(entry, entry.summary.conversationId === activeId)));
    },
  };
}

function renderItem(entry: ChatEntry, active: boolean): HTMLElement {
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
  if (ended) top.append(el('span', { className: 'ended-badge', testId: 'chat-item-ended', text: t('chats.ended') }));
  top.append(unreadBadge);

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
    el('span', {
      className: last ? 'chat-item-preview' : 'chat-item-preview muted',
      text: last ? last.text : t('chats.noMessages'),
    }),
  );
  if (ended) button.dataset.ended = 'true';
  if (active) button.setAttribute('aria-current', 'true');
  return el('li', {}, button);
}
