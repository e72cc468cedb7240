import { t } from '../i18n';
import { MAX_MESSAGE_LENGTH, type ChatSummary, type MessageDto, type OperatorHub } from '../shared/contract';
import { hubErrorMessage } from '../shared/hub';
import { newUuid } from '../shared/uuid';
import { createChatList } from './chatList';
import { createChatView } from './chatView';
import { contiguousSequence, isConfirmed, lastMessage, mergeMessages, withoutConfirmed } from './messages';
import { neighbourChat, sortChats } from './order';
import { loadSeen, saveSeen } from './seenStore';
import { isEnded, newEntry, type ChatEntry } from './state';
import { markSeen } from './unread';

export interface ChatsOptions {
  /** A new chat or visitor message arrived (used for the hidden-tab title counter). */
  onActivity(): void;
}

export interface ChatsFeature {
  sidebar: HTMLElement;
  pane: HTMLElement;
  /** Apply GetState().chats and resume the open chat (first connect and every reconnect). */
  sync(chats: readonly ChatSummary[]): Promise<void>;
  dispose(): void;
}

export function createChats(hub: OperatorHub, options: ChatsOptions): ChatsFeature {
  const entries = new Map<string, ChatEntry>();
  const seenAtStart = loadSeen();
  let activeId: string | null = null;

  const list = createChatList((id) => select(id));
  const view = createChatView({
    onSend: () => {
      if (activeId) void send(activeId);
    },
    onEnd: () => {
      if (activeId) void endChat(activeId);
    },
    onDraft: (text) => {
      const entry = activeId ? entries.get(activeId) : undefined;
      if (entry) entry.draft = text;
    },
  });

  const ordered = (): ChatEntry[] =>
    sortChats([...entries.values()].map((e) => e.summary)).flatMap((s) => entries.get(s.conversationId) ?? []);

  const persistSeen = () => saveSeen(new Map([...entries].map(([id, e]) => [id, e.seenSequence])));

  /** The open chat counts as seen only while the tab is visible. */
  const markActiveSeen = () => {
    const entry = activeId ? entries.get(activeId) : undefined;
    if (!entry || document.hidden) return;
    const seen = markSeen(entry.messages, entry.seenSequence);
    if (seen !== entry.seenSequence) {
      entry.seenSequence = seen;
      persistSeen();
    }
  };

  const render = (switched = false) => {
    markActiveSeen();
    list.render(ordered(), activeId);
    view.render(activeId ? (entries.get(activeId) ?? null) : null, switched);
  };

  const applyMessages = (entry: ChatEntry, incoming: readonly MessageDto[]) => {
    entry.messages = mergeMessages(entry.messages, incoming);
    entry.pending = withoutConfirmed(entry.pending, entry.messages);
    entry.summary = { ...entry.summary, lastMessage: lastMessage(entry.messages) };
  };

  const upsert = (summary: ChatSummary): boolean => {
    const existing = entries.get(summary.conversationId);
    if (!existing) {
      entries.set(summary.conversationId, newEntry(summary, seenAtStart.get(summary.conversationId) ?? 0));
      return true;
    }
    const wasEnded = isEnded(existing);
    existing.summary = { ...summary, status: wasEnded ? 'ended' : summary.status, lastMessage: existing.summary.lastMessage };
    if (summary.lastMessage) applyMessages(existing, [summary.lastMessage]);
    return false;
  };

  const load = async (entry: ChatEntry) => {
    const id = entry.summary.conversationId;
    entry.loading = true;
    entry.loadFailed = false;
    try {
      const detail = await hub.invoke('GetChat', id);
      entry.details = {
        visitorEmail: detail.visitorEmail,
        pageUrl: detail.pageUrl,
        pageTitle: detail.pageTitle,
        language: detail.language,
      };
      entry.summary = {
        ...entry.summary,
        visitorName: detail.visitorName,
        topic: detail.topic,
        status: isEnded(entry) ? 'ended' : detail.status,
        requestedAt: detail.requestedAt,
      };
      applyMessages(entry, detail.messages);
      entry.complete = true;
    } catch {
      entry.loadFailed = true;
    } finally {
      entry.loading = false;
      render();
    }
  };

  /** Resume rule: fetch what came after the last sequence we hold without a gap, merge without duplicates. */
  const catchUp = async (entry: ChatEntry) => {
    try {
      const missed = await hub.invoke('GetMessagesAfter', entry.summary.conversationId, contiguousSequence(entry.messages));
      applyMessages(entry, missed);
    } catch {
      entry.complete = false; // we may have a gap; reload the full chat next time it is opened
    }
  };

  const select = (id: string) => {
    const entry = entries.get(id);
    if (!entry) return;
    const switched = activeId !== id;
    activeId = id;
    if (!entry.complete && !entry.loading) void load(entry);
    render(switched);
  };

  const send = async (id: string) => {
    const entry = entries.get(id);
    if (!entry || isEnded(entry)) return;
    const text = entry.draft.trim();
    if (text === '') return;
    if (text.length > MAX_MESSAGE_LENGTH) {
      entry.error = t('chat.tooLong', { max: MAX_MESSAGE_LENGTH });
      render();
      return;
    }
    // Retrying the text that failed keeps its clientMessageId, so the server stores it at most once.
    const clientMessageId = entry.retry?.text === text ? entry.retry.clientMessageId : newUuid();
    entry.pending.push({ clientMessageId, text });
    entry.draft = '';
    entry.retry = null;
    entry.error = null;
    render();
    try {
      const message = await hub.invoke('SendMessage', id, { clientMessageId, text });
      applyMessages(entry, [message]);
    } catch (error) {
      entry.pending = entry.pending.filter((p) => p.clientMessageId !== clientMessageId);
      if (!isConfirmed(entry.messages, clientMessageId)) {
        entry.retry = { clientMessageId, text };
        entry.draft = entry.draft === '' ? text : `${text}\n${entry.draft}`;
        entry.error = hubErrorMessage(error) ?? t('chat.sendFailed');
      }
    }
    render();
  };

  const endChat = async (id: string) => {
    const entry = entries.get(id);
    if (!entry || isEnded(entry)) return;
    try {
      await hub.invoke('EndChat', id);
      entry.summary = { ...entry.summary, status: 'ended' };
      entry.endedBy ??= 'operator';
      entry.error = null;
    } catch (error) {
      entry.error = hubErrorMessage(error) ?? t('chat.endFailed');
    }
    render();
  };

  hub.on('ChatAssigned', (summary) => {
    if (upsert(summary)) options.onActivity();
    render();
  });

  hub.on('MessageReceived', (message) => {
    const entry = entries.get(message.conversationId);
    if (!entry) return; // not one of our chats (ChatAssigned/GetState bring the chats we handle)
    const isNew = !entry.messages.some((m) => m.sequence === message.sequence);
    applyMessages(entry, [message]);
    if (isNew && message.authorKind === 'visitor') options.onActivity();
    render();
  });

  hub.on('ChatEnded', ({ conversationId, endedBy }) => {
    const entry = entries.get(conversationId);
    if (!entry) return;
    entry.summary = { ...entry.summary, status: 'ended' };
    entry.endedBy = endedBy;
    render();
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    const ids = ordered().map((e) => e.summary.conversationId);
    const next = neighbourChat(ids, activeId, event.key === 'ArrowUp' ? -1 : 1);
    if (next && next !== activeId) select(next);
  };
  const onVisibility = () => {
    if (!document.hidden) render();
  };
  document.addEventListener('keydown', onKeyDown);
  document.addEventListener('visibilitychange', onVisibility);

  render();

  return {
    sidebar: list.element,
    pane: view.element,
    async sync(chats) {
      for (const summary of chats) upsert(summary);
      render();
      const work: Promise<void>[] = [];
      for (const entry of entries.values()) {
        const active = entry.summary.conversationId === activeId;
        if (active && !entry.complete) {
          if (!entry.loading) work.push(load(entry));
        } else if (entry.complete && (active || !isEnded(entry))) {
          work.push(catchUp(entry));
        }
      }
      await Promise.all(work);
      render();
    },
    dispose() {
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
