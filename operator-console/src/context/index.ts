import { getLanguage, t, type MessageKey } from '../i18n';
import {
  isMessageDto,
  isPreviousConversation,
  isVisitedPage,
  isVisitorNavigatedEvent,
  validItems,
  type OperatorHub,
  type PreviousConversation,
  type VisitedPage,
} from '../shared/contract';
import { el } from '../shared/dom';
import { timeElement } from '../shared/time';
import type { ChatWorkspace, WorkspaceChat } from '../shared/workspace';
import { mergePages } from './model';

export interface VisitorContextFeature {
  element: HTMLElement;
}

const authorKey: Record<string, MessageKey> = {
  visitor: 'author.visitor',
  operator: 'author.operator',
  system: 'author.system',
  automated: 'author.automated',
};

/**
 * The visitor context beside the open chat: who (name, email), with what (browser, OS, language, time zone),
 * where (current page, pages visited during the chat, live via "VisitorNavigated"), and the previous
 * conversations (expandable transcripts). Everything the visitor sent is shown as text; URLs are never links.
 */
export function createVisitorContext(hub: OperatorHub, workspace: ChatWorkspace): VisitorContextFeature {
  const live = new Map<string, VisitedPage[]>();
  const expanded = new Set<string>();
  let renderedKey = '';

  const body = el('div', { className: 'context-body' });
  const element = el(
    'section',
    { className: 'panel context-panel', testId: 'visitor-context', attrs: { 'aria-labelledby': 'context-title' } },
    el('h2', { className: 'panel-title', attrs: { id: 'context-title' } }, el('span', { text: t('context.heading') })),
    body,
  );
  element.hidden = true;

  const text = (value: string | null | undefined) => (value && value.trim() !== '' ? value : t('chat.notProvided'));

  const pageNode = (page: { url: string | null; title: string | null }, testId: string) =>
    el(
      'div',
      { className: 'context-page', testId },
      el('span', { className: 'context-page-title', testId: 'page-title', text: text(page.title) }),
      el('span', { className: 'url', testId: 'page-url', text: text(page.url) }),
    );

  const renderPrevious = (conversation: PreviousConversation): HTMLElement => {
    const details = el('details', {
      className: 'previous-conversation',
      testId: 'previous-conversation',
      attrs: { 'data-conversation-id': conversation.conversationId },
    });
    details.open = expanded.has(conversation.conversationId);
    details.addEventListener('toggle', () => {
      if (details.open) expanded.add(conversation.conversationId);
      else expanded.delete(conversation.conversationId);
    });
    const messages = validItems(conversation.messages, isMessageDto) ?? [];
    details.append(
      el(
        'summary',
        {},
        timeElement(conversation.requestedAt, getLanguage()),
        el('span', { className: 'previous-topic', text: ` · ${text(conversation.topic)}` }),
        el('span', { className: 'muted', text: ` · ${t('context.messageCount', { count: messages.length })}` }),
      ),
      messages.length === 0
        ? el('p', { className: 'muted', text: t('chats.noMessages') })
        : el(
            'ol',
            { className: 'transcript', testId: 'transcript' },
            ...[...messages]
              .sort((a, b) => a.sequence - b.sequence)
              .map((m) =>
                el(
                  'li',
                  { className: `transcript-line transcript-${m.authorKind}`, testId: 'transcript-message' },
                  el('span', { className: 'message-author', text: `${m.authorName ?? t(authorKey[m.authorKind] ?? 'author.system')}: ` }),
                  el('span', { className: 'message-text', text: m.text }),
                ),
              ),
          ),
    );
    return details;
  };

  const renderChat = (chat: WorkspaceChat) => {
    const detail = chat.detail;
    const context = detail?.context ?? null;
    const pages = mergePages(validItems(context?.pagesVisited ?? [], isVisitedPage) ?? [], live.get(chat.conversationId) ?? []);
    const latest = pages[pages.length - 1];
    const current = latest
      ? { url: latest.url, title: latest.title }
      : { url: context?.pageUrl ?? detail?.pageUrl ?? null, title: context?.pageTitle ?? detail?.pageTitle ?? null };

    const rows: [MessageKey, string | null | undefined, string][] = [
      ['context.name', chat.summary.visitorName, 'context-name'],
      ['context.email', detail?.visitorEmail, 'context-email'],
      ['context.browser', context?.browser, 'context-browser'],
      ['context.os', context?.os, 'context-os'],
      ['context.language', context?.language ?? detail?.language, 'context-language'],
      ['context.timeZone', context?.timeZone, 'context-timezone'],
    ];
    const previous = validItems(detail?.previousConversations ?? [], isPreviousConversation) ?? [];

    body.replaceChildren(
      el('dl', { className: 'context-facts' }, ...rows.flatMap(([label, value, testId]) => [el('dt', { text: t(label) }), el('dd', { testId, text: text(value) })])),
      el('h3', { className: 'context-subtitle', text: t('context.currentPage') }),
      pageNode(current, 'context-current-page'),
      el('h3', { className: 'context-subtitle', text: t('context.pagesVisited') }),
      pages.length === 0
        ? el('p', { className: 'muted', testId: 'context-no-pages', text: t('context.noPages') })
        : el(
            'ol',
            { className: 'context-pages', testId: 'context-pages' },
            ...pages.map((page) =>
              el(
                'li',
                { className: 'context-visited', testId: 'context-page-visited', attrs: { 'data-url': page.url } },
                timeElement(page.at, getLanguage(), 'context-page-time'),
                pageNode(page, 'context-page'),
              ),
            ),
          ),
      el('h3', { className: 'context-subtitle', text: t('context.previous') }),
      previous.length === 0
        ? el('p', { className: 'muted', testId: 'context-no-previous', text: t('context.noPrevious') })
        : el('div', { className: 'previous-conversations', testId: 'previous-conversations' }, ...previous.map(renderPrevious)),
    );
  };

  // Detail objects are replaced, never mutated: their identity tells whether to render again.
  const detailIds = new WeakMap<object, number>();
  let nextDetailId = 1;
  const identity = (value: object | null) => {
    if (value === null) return 0;
    let id = detailIds.get(value);
    if (id === undefined) {
      id = nextDetailId++;
      detailIds.set(value, id);
    }
    return id;
  };

  const render = (force = false) => {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    element.hidden = !chat;
    if (!chat) {
      renderedKey = '';
      body.replaceChildren();
      return;
    }
    const key = [chat.conversationId, chat.summary.visitorName, identity(chat.detail), live.get(chat.conversationId)?.length ?? 0].join('|');
    if (!force && key === renderedKey) return;
    renderedKey = key;
    renderChat(chat);
  };

  hub.on('VisitorNavigated', (payload) => {
    if (!isVisitorNavigatedEvent(payload)) return;
    const page: VisitedPage = { url: payload.url, title: payload.title ?? null, at: payload.at };
    live.set(payload.conversationId, [...(live.get(payload.conversationId) ?? []), page]);
    if (payload.conversationId === workspace.activeId()) render();
  });
  workspace.onChange(() => render());
  render();

  return { element };
}
