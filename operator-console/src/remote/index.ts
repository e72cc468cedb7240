import { t } from '../i18n';
import type { OperatorHub } from '../shared/contract';
import { el } from '../shared/dom';
import { hubErrorMessage } from '../shared/hub';
import type { ChatWorkspace } from '../shared/workspace';
import { isLive, toRemoteRelay, toRemoteSession, type RemoteKind, type RemoteSession } from './protocol';
import { CobrowseView, ScreenView, type LiveView } from './views';

export interface RemoteFeature {
  /** After (re)connecting: the sessions of the open chats, and what their views missed. */
  sync(): Promise<void>;
  dispose(): void;
}

/**
 * Screen share and co-browse from a chat: "See screen" / "Co-browse" ask the visitor, who consents in
 * the widget; the panel above the composer shows the state, the visitor's screen (WebRTC, received by
 * the operator who asked) or their page (rrweb replay, for every operator of the chat), with a pointer.
 */
export function createRemote(hub: OperatorHub, workspace: ChatWorkspace): RemoteFeature {
  const sessions = new Map<string, RemoteSession>();
  const views = new Map<string, LiveView>();

  const requestScreen = el('button', {
    className: 'secondary', testId: 'remote-request-screen', text: t('remote.requestScreen'),
    attrs: { type: 'button', title: t('remote.requestScreenHint') },
  });
  const requestCobrowse = el('button', {
    className: 'secondary', testId: 'remote-request-cobrowse', text: t('remote.requestCobrowse'),
    attrs: { type: 'button', title: t('remote.requestCobrowseHint') },
  });
  workspace.slots.headerActions.append(requestScreen, requestCobrowse);

  const status = el('span', { className: 'remote-status', testId: 'remote-status' });
  const stop = el('button', { className: 'danger', testId: 'remote-stop', text: t('remote.stop'), attrs: { type: 'button' } });
  const error = el('p', { className: 'error', testId: 'remote-error', attrs: { role: 'alert' } });
  error.hidden = true;
  const hint = el('p', { className: 'hint', text: t('remote.pointerHint') });
  const stage = el('div', { className: 'remote-stage-slot' });
  const panel = el('div', { className: 'remote-panel', testId: 'remote-panel' },
    el('div', { className: 'remote-head' }, status, stop), error, stage, hint);
  panel.hidden = true;
  workspace.slots.beforeComposer.prepend(panel);

  const showError = (err: unknown) => {
    error.textContent = hubErrorMessage(err) ?? t('remote.ended');
    error.hidden = false;
  };

  const request = (kind: RemoteKind) => {
    const id = workspace.activeId();
    if (!id) return;
    error.hidden = true;
    hub.invoke('RequestRemote', id, { kind }).then((raw) => {
      const session = toRemoteSession(raw);
      if (session) apply(session);
    }).catch(showError);
  };
  requestScreen.addEventListener('click', () => request('screen'));
  requestCobrowse.addEventListener('click', () => request('cobrowse'));
  stop.addEventListener('click', () => {
    const session = sessions.get(workspace.activeId() ?? '');
    if (session && isLive(session)) hub.invoke('StopRemote', session.sessionId).catch(showError);
  });

  const closeView = (sessionId: string) => {
    views.get(sessionId)?.close();
    views.delete(sessionId);
  };

  function apply(session: RemoteSession): void {
    const previous = sessions.get(session.conversationId);
    if (previous && previous.sessionId !== session.sessionId) closeView(previous.sessionId);
    sessions.set(session.conversationId, session);
    if (session.status !== 'active') closeView(session.sessionId);
    else if (!views.has(session.sessionId)) {
      // Media goes only to the operator who asked; a co-browse replays for every operator of the chat.
      const view = session.kind === 'cobrowse' ? new CobrowseView(hub, session)
        : session.operatorId === workspace.operatorId() ? new ScreenView(hub, session) : null;
      if (view) {
        views.set(session.sessionId, view);
        view.catchUp();
      }
    }
    render();
  }

  const endFor = (conversationId: string) => {
    const session = sessions.get(conversationId);
    if (!session) return;
    closeView(session.sessionId);
    if (isLive(session)) sessions.set(conversationId, { ...session, status: 'ended' });
    render();
  };

  function render(): void {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    const session = id ? sessions.get(id) : undefined;
    const open = chat !== null && !chat.ended && chat.closed === null;
    requestScreen.disabled = !open || isLive(session);
    requestCobrowse.disabled = !open || isLive(session);
    panel.hidden = !session;
    if (!session || !chat) return;
    panel.dataset.status = session.status;
    panel.dataset.kind = session.kind;
    const names = { name: chat.summary.visitorName, operator: session.operatorName };
    status.textContent = session.status === 'requested' ? t('remote.waiting', names)
      : session.status === 'active' ? t(session.kind === 'screen' ? 'remote.screenActive' : 'remote.cobrowseActive', names)
      : session.status === 'declined' ? t('remote.declined', names)
      : session.status === 'cancelled' ? t('remote.cancelled') : t('remote.ended');
    stop.hidden = !isLive(session);
    const view = views.get(session.sessionId);
    hint.hidden = !view;
    if (view && stage.firstElementChild !== view.element) stage.replaceChildren(view.element);
    if (!view) stage.replaceChildren();
  }

  hub.on('RemoteSessionChanged', (raw) => {
    const session = toRemoteSession(raw);
    if (session) apply(session);
  });
  hub.on('RemoteRelay', (raw) => {
    const relay = toRemoteRelay(raw);
    if (relay) views.get(relay.sessionId)?.receive(relay);
  });
  // A system notice may mean the session ended with its operator (transfer, left, disconnected).
  hub.on('MessageReceived', (message) => {
    if (message.authorKind !== 'system' || !isLive(sessions.get(message.conversationId))) return;
    hub.invoke('GetRemoteSession', message.conversationId).then((raw) => {
      const session = toRemoteSession(raw);
      if (session) apply(session);
    }).catch(() => endFor(message.conversationId));
  });
  hub.on('ChatEnded', (e) => endFor(e.conversationId));
  hub.on('ChatTransferredAway', (e) => endFor(e.conversationId));
  const unsubscribe = workspace.onChange(render);

  return {
    async sync() {
      for (const chat of workspace.chats().filter((c) => !c.ended && c.closed === null)) {
        const session = toRemoteSession(await hub.invoke('GetRemoteSession', chat.conversationId).catch(() => null));
        if (session) apply(session);
      }
      for (const view of views.values()) view.catchUp();
    },
    dispose() {
      unsubscribe();
      for (const id of [...views.keys()]) closeView(id);
    },
  };
}
