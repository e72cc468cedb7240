import { getLanguage, t, type MessageKey } from '../i18n';
import { MAX_MESSAGE_LENGTH, type AuthorKind, type MessageDto } from '../shared/contract';
import { el } from '../shared/dom';
import type { PendingMessage } from './messages';
import { isEnded, type ChatEntry } from './state';

export interface ChatViewHandlers {
  onSend(): void;
  onEnd(): void;
  onDraft(text: string): void;
}

export interface ChatView {
  element: HTMLElement;
  /** Render the active chat; `switched` when a different chat was just selected. */
  render(entry: ChatEntry | null, switched: boolean): void;
}

const authorFallback: Record<AuthorKind, MessageKey> = {
  visitor: 'author.visitor',
  operator: 'author.operator',
  system: 'author.system',
  automated: 'author.automated',
};

export function createChatView(handlers: ChatViewHandlers): ChatView {
  const placeholder = el('p', { className: 'chat-placeholder', text: t('chat.placeholder') });

  const visitorName = el('h2', { className: 'visitor-name', testId: 'visitor-name' });
  const details = el('dl', { className: 'chat-details' });
  const endButton = el('button', {
    className: 'secondary',
    testId: 'end-chat',
    text: t('chat.end'),
    attrs: { type: 'button' },
  });
  endButton.addEventListener('click', () => handlers.onEnd());

  const status = el('p', { className: 'chat-status', attrs: { role: 'status' } });
  const messages = el('ol', {
    className: 'messages',
    attrs: { 'aria-label': t('chat.messages'), 'aria-live': 'polite', tabindex: '0' },
  });
  const ended = el('p', { className: 'chat-ended', testId: 'chat-ended', attrs: { role: 'status' } });
  const error = el('p', { className: 'chat-error', testId: 'error', attrs: { role: 'alert' } });

  const composer = el('textarea', {
    testId: 'composer',
    attrs: {
      id: 'composer',
      maxlength: String(MAX_MESSAGE_LENGTH),
      rows: '3',
      placeholder: t('chat.composerPlaceholder'),
    },
  });
  const sendButton = el('button', { testId: 'send', text: t('chat.send'), attrs: { type: 'submit' } });
  const form = el(
    'form',
    { className: 'composer' },
    el('label', { className: 'visually-hidden', attrs: { for: 'composer' }, text: t('chat.composerLabel') }),
    composer,
    sendButton,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    handlers.onSend();
  });
  composer.addEventListener('input', () => handlers.onDraft(composer.value));
  composer.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      handlers.onSend();
    }
  });

  const section = el(
    'section',
    { className: 'chat-view', testId: 'chat-view' },
    el('header', { className: 'chat-header' }, el('div', { className: 'chat-heading' }, visitorName, details), endButton),
    status,
    messages,
    ended,
    error,
    form,
  );
  const element = el('main', { className: 'chat-pane' }, placeholder, section);

  return {
    element,
    render(entry, switched) {
      placeholder.hidden = entry !== null;
      section.hidden = entry === null;
      if (!entry) return;

      const { summary } = entry;
      const isOver = isEnded(entry);
      section.dataset.conversationId = summary.conversationId;
      visitorName.textContent = summary.visitorName;
      renderDetails(details, entry);

      status.hidden = !(entry.loading || entry.loadFailed);
      status.textContent = entry.loadFailed ? t('chat.loadFailed') : entry.loading ? t('chat.loading') : '';

      const nearBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80;
      messages.replaceChildren(
        ...entry.messages.map((m) => renderMessage(m, summary.visitorName)),
        ...entry.pending.map(renderPending),
      );
      if (switched || nearBottom) messages.scrollTop = messages.scrollHeight;

      ended.hidden = !isOver;
      ended.textContent = isOver ? t(endedKey(entry)) : '';
      error.hidden = entry.error === null;
      error.textContent = entry.error ?? '';

      if (composer.value !== entry.draft) composer.value = entry.draft;
      composer.disabled = isOver;
      sendButton.disabled = isOver;
      endButton.disabled = isOver;
      if (switched && !isOver) composer.focus();
    },
  };
}

function endedKey(entry: ChatEntry): MessageKey {
  switch (entry.endedBy) {
    case 'visitor':
      return 'chat.endedByVisitor';
    case 'operator':
      return 'chat.endedByOperator';
    case 'system':
      return 'chat.endedBySystem';
    default:
      return 'chat.ended';
  }
}

function renderDetails(details: HTMLDListElement, entry: ChatEntry): void {
  const d = entry.details;
  const rows: [MessageKey, string | null | undefined, string?][] = [
    ['chat.email', d?.visitorEmail],
    ['chat.topic', entry.summary.topic],
    ['chat.pageTitle', d?.pageTitle],
    // The page URL comes from the visitor: shown as plain text, never as a live link.
    ['chat.pageUrl', d?.pageUrl, 'url'],
    ['chat.language', d?.language ? languageName(d.language) : null],
  ];
  details.replaceChildren(
    ...rows.flatMap(([label, value, className]) => [
      el('dt', { text: t(label) }),
      el('dd', { className: className ?? '', text: value ? value : t('chat.notProvided') }),
    ]),
  );
}

function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([getLanguage()], { type: 'language' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

function formatTime(iso: string): { short: string; full: string } {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { short: '', full: '' };
  const language = getLanguage();
  const sameDay = date.toDateString() === new Date().toDateString();
  return {
    short: new Intl.DateTimeFormat(language, sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(date),
    full: new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'medium' }).format(date),
  };
}

function renderMessage(message: MessageDto, visitorName: string): HTMLElement {
  const time = formatTime(message.sentAt);
  const author =
    message.authorName ?? (message.authorKind === 'visitor' ? visitorName : t(authorFallback[message.authorKind] ?? 'author.system'));
  return el(
    'li',
    {
      className: `message message-${message.authorKind}`,
      testId: 'message',
      attrs: { 'data-seq': String(message.sequence), 'data-author': message.authorKind },
    },
    el(
      'div',
      { className: 'message-meta' },
      el('span', { className: 'message-author', text: author }),
      el('time', { text: time.short, attrs: { datetime: message.sentAt, title: time.full } }),
    ),
    el('div', { className: 'message-text', testId: 'message-text', text: message.text }),
  );
}

function renderPending(pending: PendingMessage): HTMLElement {
  return el(
    'li',
    {
      className: 'message message-operator message-pending',
      testId: 'message',
      attrs: { 'data-author': 'operator', 'data-state': 'sending', 'data-client-message-id': pending.clientMessageId },
    },
    el('div', { className: 'message-meta' }, el('span', { className: 'message-author', text: t('chat.sending') })),
    el('div', { className: 'message-text', testId: 'message-text', text: pending.text }),
  );
}
