import { t } from '../i18n';
import {
  MAX_MESSAGE_LENGTH,
  isChatSummary,
  isChatTransferredAwayEvent,
  type ChatDetail,
  type ChatSummary,
  type MessageDto,
  type OperatorHub,
} from '../shared/contract';
import { hubErrorMessage } from '../shared/hub';
import { newUuid } from '../shared/uuid';
import type {
  ChatActivity,
  ChatClosedReason,
  ChatWorkspace,
  ComposerKeyHandler,
  ComposerMode,
  SendHandler,
  TimelineItem,
  WorkspaceChat,
} from '../shared/workspace';
import { createChatList } from './chatList';
import { createChatView } from './chatView';
import { contiguousSequence, isConfirmed, lastMessage, mergeMessages, withoutConfirmed } from './messages';
import { neighbourChat, sortChats } from './order';
import { loadSeen, saveSeen } from './seenStore';
import { isEnded, isReadOnly, newEntry, type ChatEntry } from './state';
import { markSeen } from './unread';

export interface ChatsOptions {
  /** A new chat, invitation or visitor message arrived (title counter, sound, notification). */
  onActivity(activity?: ChatActivity): void;
  /** Clock, for tests. */
  now?: () => number;
  /** How often the waiting times are updated. */
  tickMs?: number;
}

export interface ChatsFeature {
  sidebar: HTMLElement;
  pane: HTMLElement;
  /** Extension points for the workspace features (answers, typing, transfer, notes, wrap-up, context…). */
  workspace: ChatWorkspace;
  /** Apply GetState().chats and resume the open chat (first connect and every reconnect). */
  sync(chats: readonly ChatSummary[], operatorId?: string): Promise<void>;
  dispose(): void;
}

export function createChats(hub: OperatorHub, options: ChatsOptions): ChatsFeature {
  const now = options.now ?? (() => Date.now());
  const entries = new Map<string, ChatEntry>();
  const seenAtStart = loadSeen();
  let activeId: string | null = null;
  let operatorId: string | null = null;
  let mode: ComposerMode = 'message';
  const listeners = new Set<() => void>();
  const keyHandlers: ComposerKeyHandler[] = [];
  const sendHandlers: SendHandler[] = [];
  const decorators: ((chat: WorkspaceChat, item: HTMLElement) => void)[] = [];
  const timelineSources: ((conversationId: string) => TimelineItem[])[] = [];

  const toWorkspaceChat = (entry: ChatEntry): WorkspaceChat => {
    const me = operatorId ? entry.detail?.participants?.find((p) => p.id === operatorId) : undefined;
    return {
      conversationId: entry.summary.conversationId,
      summary: entry.summary,
      detail: entry.detail,
      ended: isEnded(entry),
      closed: entry.closed,
      role: entry.invited || me?.role === 'invited' ? 'invited' : 'owner',
    };
  };

  const list = createChatList({
    onSelect: (id) => select(id),
    now,
    decorate: (entry, item) => {
      const chat = toWorkspaceChat(entry);
      for (const decorate of decorators) decorate(chat, item);
    },
  });
  const view = createChatView(
    {
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
    },
    {
      keyHandlers,
      timeline: (id) => timelineSources.flatMap((source) => source(id)),
      mode: () => mode,
    },
  );

  /** Open chats first, then ended/closed ones; see sortChats. */
  const ordered = (): ChatEntry[] =>
    sortChats(
      [...entries.values()].map((e) => ({
        conversationId: e.summary.conversationId,
        requestedAt: e.summary.requestedAt,
        status: isReadOnly(e) ? ('ended' as const) : e.summary.status,
      })),
    ).flatMap((s) => entries.get(s.conversationId) ?? []);

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

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const render = (switched = false) => {
    markActiveSeen();
    list.render(ordered(), activeId);
    view.render(activeId ? (entries.get(activeId) ?? null) : null, switched);
    notify();
  };

  const applyMessages = (entry: ChatEntry, incoming: readonly MessageDto[]) => {
    entry.messages = mergeMessages(entry.messages, incoming);
    entry.pending = withoutConfirmed(entry.pending, entry.messages);
    entry.summary = { ...entry.summary, lastMessage: lastMessage(entry.messages) };
  };

  /** Adds or updates a chat; true when it was new (or is ours again after a transfer/leave). */
  const upsert = (summary: ChatSummary): boolean => {
    const existing = entries.get(summary.conversationId);
    if (!existing) {
      entries.set(summary.conversationId, newEntry(summary, seenAtStart.get(summary.conversationId) ?? 0));
      return true;
    }
    if (existing.closed !== null) {
      // Transferred back to us / invited again: ours again, and we may have missed messages meanwhile.
      existing.closed = null;
      existing.invited = false;
      existing.complete = false;
      existing.endedBy = null;
      existing.summary = { ...summary, lastMessage: existing.summary.lastMessage };
      if (summary.lastMessage) applyMessages(existing, [summary.lastMessage]);
      return true;
    }
    const wasEnded = isEnded(existing);
    existing.summary = { ...summary, status: wasEnded ? 'ended' : summary.status, lastMessage: existing.summary.lastMessage };
    if (summary.lastMessage) applyMessages(existing, [summary.lastMessage]);
    return false;
  };

  const applyDetail = (entry: ChatEntry, detail: ChatDetail) => {
    entry.detail = detail;
    entry.details = {
      visitorEmail: detail.visitorEmail,
      pageUrl: detail.pageUrl,
      pageTitle: detail.pageTitle,
      language: detail.language,
    };
    const ended = isEnded(entry) || detail.status === 'ended';
    entry.summary = {
      ...entry.summary,
      visitorName: detail.visitorName,
      topic: detail.topic,
      status: ended ? 'ended' : detail.status,
      requestedAt: detail.requestedAt,
    };
    if (detail.wrapUp !== undefined) entry.summary.wrapUp = detail.wrapUp;
    if (detail.wrapUpDueAt !== undefined) entry.summary.wrapUpDueAt = detail.wrapUpDueAt;
    applyMessages(entry, detail.messages);
    entry.complete = true;
  };

  const load = async (entry: ChatEntry) => {
    const id = entry.summary.conversationId;
    entry.loading = true;
    entry.loadFailed = false;
    try {
      applyDetail(entry, await hub.invoke('GetChat', id));
    } catch {
      entry.loadFailed = true;
    } finally {
      entry.loading = false;
      render();
    }
  };

  /** GetChat again without the loading state; failures are silent (the data shown stays). */
  const reloadDetail = async (id: string) => {
    const entry = entries.get(id);
    if (!entry || entry.loading) return;
    try {
      const detail = await hub.invoke('GetChat', id);
      if (entries.get(id) === entry) applyDetail(entry, detail);
    } catch {
      return;
    }
    render();
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
    if (!entry || isReadOnly(entry)) return;
    const text = entry.draft.trim();
    if (text === '') return;
    if (text.length > MAX_MESSAGE_LENGTH) {
      entry.error = t('chat.tooLong', { max: MAX_MESSAGE_LENGTH });
      render();
      return;
    }
    // Another feature may own this text (e.g. an internal note in note mode).
    for (const handler of sendHandlers) {
      const handled = handler(id, text);
      if (handled === null) continue;
      entry.draft = '';
      entry.error = null;
      render();
      try {
        await handled;
      } catch (error) {
        entry.draft = entry.draft === '' ? text : `${text}\n${entry.draft}`;
        entry.error = hubErrorMessage(error) ?? t('chat.sendFailed');
      }
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
    if (!entry || isReadOnly(entry)) return;
    try {
      await hub.invoke('EndChat', id);
      entry.summary = { ...entry.summary, status: 'ended' };
      entry.endedBy ??= 'operator';
      entry.error = null;
    } catch (error) {
      entry.error = hubErrorMessage(error) ?? t('chat.endFailed');
    }
    render();
    if (isEnded(entry)) void reloadDetail(id); // wrap-up deadline
  };

  const markClosed = (id: string, reason: ChatClosedReason) => {
    const entry = entries.get(id);
    if (!entry || entry.closed !== null) return;
    entry.closed = reason;
    entry.pending = [];
    entry.error = null;
    render();
  };

  hub.on('ChatAssigned', (summary) => {
    if (upsert(summary)) options.onActivity({ kind: 'chat', conversationId: summary.conversationId, visitorName: summary.visitorName });
    const entry = entries.get(summary.conversationId);
    if (entry && summary.conversationId === activeId && !entry.complete && !entry.loading) void load(entry);
    render();
  });

  hub.on('ChatJoined', (summary) => {
    if (!isChatSummary(summary)) return;
    const isNew = upsert(summary);
    const entry = entries.get(summary.conversationId);
    if (entry) entry.invited = true;
    if (isNew) options.onActivity({ kind: 'invited', conversationId: summary.conversationId, visitorName: summary.visitorName });
    if (entry && summary.conversationId === activeId && !entry.complete && !entry.loading) void load(entry);
    render();
  });

  hub.on('ChatTransferredAway', (payload) => {
    if (isChatTransferredAwayEvent(payload)) markClosed(payload.conversationId, 'transferred');
  });

  hub.on('MessageReceived', (message) => {
    const entry = entries.get(message.conversationId);
    if (!entry || entry.closed !== null) return; // not one of our chats (ChatAssigned/GetState bring the chats we handle)
    const isNew = !entry.messages.some((m) => m.sequence === message.sequence);
    applyMessages(entry, [message]);
    if (isNew && message.authorKind === 'visitor') {
      options.onActivity({
        kind: 'message',
        conversationId: message.conversationId,
        visitorName: entry.summary.visitorName,
        text: message.text,
      });
    }
    render();
  });

  hub.on('ChatEnded', ({ conversationId, endedBy }) => {
    const entry = entries.get(conversationId);
    if (!entry) return;
    entry.summary = { ...entry.summary, status: 'ended' };
    entry.endedBy = endedBy;
    render();
    // The detail now carries the wrap-up deadline (wrapUpDueAt).
    if (entry.closed === null && (entry.complete || conversationId === activeId)) void reloadDetail(conversationId);
  });

  const onKeyDown = (event: KeyboardEvent) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const ids = ordered().map((e) => e.summary.conversationId);
    // Alt+1..9: the n-th chat of the list (event.code: Alt+digit types other characters on some layouts).
    const digit = /^Digit([1-9])$/.exec(event.code)?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : undefined);
    if (digit !== undefined) {
      const target = ids[Number(digit) - 1];
      if (target) {
        event.preventDefault();
        select(target);
      }
      return;
    }
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    const next = neighbourChat(ids, activeId, event.key === 'ArrowUp' ? -1 : 1);
    if (next && next !== activeId) select(next);
  };

  const onVisibility = () => {
    if (!document.hidden) render();
  };

  document.addEventListener('keydown', onKeyDown);
  document.addEventListener('visibilitychange', onVisibility);
  const timer = setInterval(() => list.tick(), options.tickMs ?? 1000);

  const workspace: ChatWorkspace = {
    slots: view.slots,
    composer: view.composer,
    chatPane: view.element,
    operatorId: () => operatorId,
    activeId: () => activeId,
    chat: (id) => {
      const entry = entries.get(id);
      return entry ? toWorkspaceChat(entry) : null;
    },
    chats: () => ordered().map(toWorkspaceChat),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    render: () => render(),
    renderList: () => list.render(ordered(), activeId),
    composerMode: () => mode,
    setComposerMode(next) {
      if (mode === next) return;
      mode = next;
      render();
    },
    addComposerKeyHandler: (handler) => keyHandlers.push(handler),
    addSendHandler: (handler) => sendHandlers.push(handler),
    addItemDecorator: (decorate) => decorators.push(decorate),
    addTimelineSource: (source) => timelineSources.push(source),
    markClosed,
    reloadDetail,
  };

  render();

  return {
    sidebar: list.element,
    pane: view.element,
    workspace,
    async sync(chats, me) {
      if (me !== undefined) operatorId = me;
      for (const summary of chats) upsert(summary);
      render();
      const work: Promise<void>[] = [];
      for (const entry of entries.values()) {
        if (entry.closed !== null) continue;
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
      clearInterval(timer);
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('visibilitychange', onVisibility);
      listeners.clear();
    },
  };
}
