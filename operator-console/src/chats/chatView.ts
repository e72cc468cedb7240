import { getLanguage, t, type MessageKey } from '../i18n';
import { MAX_MESSAGE_LENGTH, type AuthorKind, type MessageDto, type SharedFile } from '../shared/contract';
import { fileDownloadUrl, formatFileSize } from '../shared/files';
import { el } from '../shared/dom';
import type { ComposerKeyHandler, ComposerMode, TimelineItem, WorkspaceSlots } from '../shared/workspace';
import type { PendingMessage } from './messages';
import { isEnded, isReadOnly, type ChatEntry } from './state';

export interface ChatViewHandlers {
  onSend(): void;
  onEnd(): void;
  onDraft(text: string): void;
}

export interface ChatViewExtensions {
  keyHandlers: readonly ComposerKeyHandler[];
  timeline(conversationId: string): TimelineItem[];
  mode(): ComposerMode;
}

export interface ChatView {
  element: HTMLElement;
  composer: HTMLTextAreaElement;
  slots: WorkspaceSlots;
  /** Render the active chat; `switched` when a different chat was just selected. */
  render(entry: ChatEntry | null, switched: boolean): void;
}

const authorFallback: Record<AuthorKind, MessageKey> = {
  visitor: 'author.visitor',
  operator: 'author.operator',
  system: 'author.system',
  automated: 'author.automated',
};

export function createChatView(handlers: ChatViewHandlers, ext: ChatViewExtensions): ChatView {
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
  const composerLabel = el('label', { className: 'visually-hidden', attrs: { for: 'composer' }, text: t('chat.composerLabel') });
  const sendButton = el('button', { testId: 'send', text: t('chat.send'), attrs: { type: 'submit' } });
  const slots: WorkspaceSlots = {
    headerInfo: el('div', { className: 'chat-header-info' }),
    headerActions: el('div', { className: 'chat-header-actions' }),
    afterMessages: el('div', { className: 'chat-after-messages' }),
    beforeComposer: el('div', { className: 'chat-before-composer' }),
    composerPopup: el('div', { className: 'composer-popup' }),
    composerTools: el('div', { className: 'composer-tools' }),
  };
  const form = el(
    'form',
    { className: 'composer', testId: 'composer-form' },
    slots.composerPopup,
    composerLabel,
    composer,
    el('div', { className: 'composer-buttons' }, slots.composerTools, sendButton),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    handlers.onSend();
  });
  composer.addEventListener('input', () => handlers.onDraft(composer.value));
  composer.addEventListener('keydown', (event) => {
    for (const handler of ext.keyHandlers) {
      if (handler(event)) {
        event.preventDefault();
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      handlers.onSend();
    }
  });

  const section = el(
    'section',
    { className: 'chat-view', testId: 'chat-view' },
    el(
      'header',
      { className: 'chat-header' },
      el('div', { className: 'chat-heading' }, visitorName, slots.headerInfo, details),
      slots.headerActions,
      endButton,
    ),
    status,
    messages,
    slots.afterMessages,
    ended,
    slots.beforeComposer,
    error,
    form,
  );
  const element = el('main', { className: 'chat-pane' }, placeholder, section);

  return {
    element,
    composer,
    slots,
    render(entry, switched) {
      placeholder.hidden = entry !== null;
      section.hidden = entry === null;
      if (!entry) return;
      const { summary } = entry;
      const readOnly = isReadOnly(entry);
      section.dataset.conversationId = summary.conversationId;
      visitorName.textContent = summary.visitorName;
      renderDetails(details, entry);
      status.hidden = !(entry.loading || entry.loadFailed);
      status.textContent = entry.loadFailed ? t('chat.loadFailed') : entry.loading ? t('chat.loading') : '';

      const nearBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80;
      messages.replaceChildren(
        ...mergeTimeline(
          entry.messages.map((m) => ({ at: m.sentAt, node: renderMessage(m, summary.visitorName) })),
          ext.timeline(summary.conversationId),
        ),
        ...entry.pending.map(renderPending),
      );
      if (switched || nearBottom) messages.scrollTop = messages.scrollHeight;

      ended.hidden = !readOnly;
      ended.textContent = readOnly ? t(endedKey(entry)) : '';
      error.hidden = entry.error === null;
      error.textContent = entry.error ?? '';
      if (composer.value !== entry.draft) composer.value = entry.draft;
      const mode = ext.mode();
      form.dataset.mode = mode;
      composer.placeholder = mode === 'note' ? t('notes.placeholder') : t('chat.composerPlaceholder');
      composerLabel.textContent = mode === 'note' ? t('notes.composerLabel') : t('chat.composerLabel');
      sendButton.textContent = mode === 'note' ? t('notes.add') : t('chat.send');
      composer.disabled = readOnly;
      sendButton.disabled = readOnly;
      endButton.disabled = readOnly;
      // Only the owner ends the chat; an invited operator leaves it instead.
      endButton.hidden = entry.invited && !isEnded(entry);
      if (switched && !readOnly) composer.focus();
    },
  };
}

/**
 * Messages (already in sequence order) with extra timeline items placed by time: an item goes before the
 * first message sent after it. Items with an unparsable time go last.
 */
export function mergeTimeline(
  messageItems: readonly { at: string; node: HTMLElement }[],
  extra: readonly TimelineItem[],
): HTMLElement[] {
  const time = (iso: string) => {
    const value = Date.parse(iso);
    return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  };
  const sorted = [...extra].sort((a, b) => time(a.at) - time(b.at));
  const result: HTMLElement[] = [];
  let next = 0;
  for (const message of messageItems) {
    const at = time(message.at);
    while (next < sorted.length && time(sorted[next]?.at ?? '') < at) result.push((sorted[next++] as TimelineItem).node);
    result.push(message.node);
  }
  while (next < sorted.length) result.push((sorted[next++] as TimelineItem).node);
  return result;
}

function endedKey(entry: ChatEntry): MessageKey {
  if (entry.closed === 'transferred') return 'chat.transferredAway';
  if (entry.closed === 'left') return 'chat.left';
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
    message.file ? renderFile(message.file) : el('div', { className: 'message-text', testId: 'message-text', text: message.text }),
  );
}

/** A same-origin link: the console's login cookie authorises the download; the server sends it as an attachment. */
function renderFile(file: SharedFile): HTMLElement {
  const size = formatFileSize(file.size, getLanguage());
  return el(
    'div',
    { className: 'message-text message-file', testId: 'message-text' },
    el('a', {
      className: 'file-link',
      testId: 'file-link',
      text: file.name,
      attrs: {
        href: fileDownloadUrl(file.id),
        download: file.name,
        'data-file-id': file.id,
        title: t('files.download', { name: file.name, size }),
      },
    }),
    el('span', { className: 'file-size', text: size }),
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
