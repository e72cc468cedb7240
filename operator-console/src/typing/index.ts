import { t } from '../i18n';
import { isVisitorTypingEvent, type OperatorHub } from '../shared/contract';
import { el } from '../shared/dom';
import type { ChatWorkspace } from '../shared/workspace';

export interface TypingOptions {
  /** Clock, for tests. */
  now?: () => number;
  /** The visitor's draft disappears after this long without an update. */
  draftTimeoutMs?: number;
  /** At most one Typing call per chat in this interval. */
  throttleMs?: number;
}

export interface TypingFeature {
  /** What is shown for a chat: the draft, "typing" (preview off) or nothing. */
  stateOf(conversationId: string): { draft: string | null } | null;
  dispose(): void;
}

/** The server keeps the last 1,000 characters; we never show more. */
export const MAX_DRAFT_LENGTH = 1000;

interface VisitorDraft {
  /** null: the site turned the preview off, only "is typing" is shown. */
  draft: string | null;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Typing both ways: the visitor's live draft ("VisitorTyping") under the messages of the open chat and
 * an indicator on the chat list item; Typing(conversationId) throttled while the operator types a reply.
 */
export function createTyping(hub: OperatorHub, workspace: ChatWorkspace, options: TypingOptions = {}): TypingFeature {
  const now = options.now ?? (() => Date.now());
  const draftTimeoutMs = options.draftTimeoutMs ?? 5000;
  const throttleMs = options.throttleMs ?? 2000;
  const drafts = new Map<string, VisitorDraft>();
  const lastSent = new Map<string, number>();

  const draftView = el('div', {
    className: 'visitor-draft',
    testId: 'visitor-draft',
    attrs: { 'data-label': t('typing.draftLabel') },
  });
  draftView.hidden = true;
  workspace.slots.afterMessages.append(draftView);

  const renderDraft = () => {
    const id = workspace.activeId();
    const state = id ? drafts.get(id) : undefined;
    if (!state) {
      draftView.hidden = true;
      draftView.textContent = '';
      delete draftView.dataset.state;
      return;
    }
    draftView.hidden = false;
    if (state.draft === null) {
      draftView.dataset.state = 'typing';
      draftView.textContent = t('typing.visitorTyping');
    } else {
      draftView.dataset.state = 'draft';
      draftView.textContent = state.draft.slice(-MAX_DRAFT_LENGTH);
    }
  };

  const clear = (id: string) => {
    const state = drafts.get(id);
    if (!state) return;
    clearTimeout(state.timer);
    drafts.delete(id);
    renderDraft();
    workspace.renderList();
  };

  const lastAt = new Map<string, number>();
  hub.on('VisitorTyping', (payload) => {
    if (!isVisitorTypingEvent(payload)) return;
    const id = payload.conversationId;
    // The server relays drafts concurrently: a late, older draft must not replace a newer one.
    const stamp = (payload as { at?: unknown }).at;
    const at = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    if (!Number.isNaN(at)) {
      if (at < (lastAt.get(id) ?? Number.NEGATIVE_INFINITY)) return;
      lastAt.set(id, at);
    }
    const draft = payload.draft ?? null;
    if (draft === '') {
      clear(id);
      return;
    }
    const had = drafts.get(id);
    if (had) clearTimeout(had.timer);
    drafts.set(id, { draft, timer: setTimeout(() => clear(id), draftTimeoutMs) });
    renderDraft();
    if (!had) workspace.renderList();
  });
  // The visitor sent the message, or the chat is over: the draft is gone.
  hub.on('MessageReceived', (message) => {
    if (message.authorKind === 'visitor') clear(message.conversationId);
  });
  hub.on('ChatEnded', ({ conversationId }) => clear(conversationId));

  workspace.addItemDecorator((chat, item) => {
    if (!drafts.has(chat.conversationId)) return;
    const indicator = el('span', { className: 'typing-indicator', testId: 'typing-indicator', text: t('typing.indicator') });
    (item.querySelector('.chat-item-top') ?? item).append(indicator);
  });
  workspace.onChange(renderDraft);

  // Operator side: tell the visitor we are typing (not for internal notes).
  workspace.composer.addEventListener('input', () => {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    if (!id || !chat || chat.ended || chat.closed !== null) return;
    if (workspace.composerMode() !== 'message' || workspace.composer.value.trim() === '') return;
    const at = now();
    const last = lastSent.get(id);
    if (last !== undefined && at - last < throttleMs) return;
    lastSent.set(id, at);
    hub.invoke('Typing', id).catch(() => undefined); // best effort
  });

  return {
    stateOf: (id) => {
      const state = drafts.get(id);
      return state ? { draft: state.draft } : null;
    },
    dispose() {
      for (const state of drafts.values()) clearTimeout(state.timer);
      drafts.clear();
    },
  };
}
