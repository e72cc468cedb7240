import type { ChatWorkspace, WorkspaceChat } from '../workspace';

/**
 * A minimal ChatWorkspace for a workspace feature's DOM tests: real slots and chat pane, chats by id,
 * the open chat and change listeners; everything else does nothing.
 */
export function fakeWorkspace(initial: WorkspaceChat[]) {
  const chats = new Map(initial.map((c) => [c.conversationId, c]));
  const listeners = new Set<() => void>();
  let active: string | null = null;
  const div = () => document.createElement('div');
  const slots = { headerInfo: div(), headerActions: div(), afterMessages: div(), beforeComposer: div(), composerPopup: div(), composerTools: div() };
  const notify = () => listeners.forEach((l) => l());
  const workspace: ChatWorkspace = {
    slots,
    composer: document.createElement('textarea'),
    chatPane: div(),
    operatorId: () => 'me',
    activeId: () => active,
    chat: (id) => chats.get(id) ?? null,
    chats: () => [...chats.values()],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    render: notify,
    renderList: () => undefined,
    composerMode: () => 'message',
    setComposerMode: () => undefined,
    addComposerKeyHandler: () => undefined,
    addSendHandler: () => undefined,
    addItemDecorator: () => undefined,
    addTimelineSource: () => undefined,
    markClosed: () => undefined,
    reloadDetail: async () => undefined,
  };
  return {
    workspace,
    open(id: string | null) {
      active = id;
      notify();
    },
    replace(c: WorkspaceChat) {
      chats.set(c.conversationId, c);
      notify();
    },
  };
}
