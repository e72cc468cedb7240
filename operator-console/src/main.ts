import './styles.css';
import { createAnswerSuggestions, createAnswersAdmin } from './answers';
import { createLoginView, fetchMe, logout } from './auth';
import { BOARD_HASH, canSeeBoard, createBoard, createBoardLink, type Board } from './board';
import { createChats } from './chats';
import { createDashboard } from './dashboard';
import { createFileSharing } from './files';
import { manageConnection } from './connection';
import { createVisitorContext } from './context';
import { detectLanguage, setLanguage, t, type MessageKey } from './i18n';
import { createOfflineMessages } from './offline-messages';
import { createInvite } from './invite';
import { createNotes } from './notes';
import { createNotifications } from './notifications';
import { createOffers } from './offers';
import { createPresence } from './presence';
import { createQueue } from './queue';
import { createRemote } from './remote';
import { createSurveys } from './surveys';
import type { Me } from './shared/contract';
import { el } from './shared/dom';
import { createBoardConnection, createOperatorConnection, typedBoardHub, typedHub } from './shared/hub';
import { createTitleCounter } from './shared/titleCounter';
import type { ChatActivity } from './shared/workspace';
import { createTransfer } from './transfer';
import { createTyping } from './typing';
import { createWrapUp } from './wrapup';

/**
 * Wires the features together: auth -> workspace (header, presence, connection, offers, chats, queue,
 * offline messages, KPI dashboard) and the chat workspace features plugged into the chats feature (answers, typing,
 * transfer, invite, notes, wrap-up, survey answers, visitor context), plus opt-in notifications.
 * /console/#board shows the full-screen live board instead (managers and admins), on its own hub connection.
 */

const root = document.getElementById('app') ?? document.body;
setLanguage(detectLanguage(navigator.language));
document.title = t('app.title');

type View = 'workspace' | 'board';
/** The signed-in view on screen and how to take it down (switching between workspace and board by the URL hash). */
let current: { me: Me; view: View; teardown: () => Promise<void> } | null = null;
const wantedView = (): View => (location.hash === BOARD_HASH ? 'board' : 'workspace');

function showSignedIn(me: Me): void {
  if (wantedView() === 'board') showBoard(me);
  else showWorkspace(me);
}

let switching = false;
window.addEventListener('hashchange', () => {
  if (!current || switching || current.view === wantedView()) return;
  const { me, teardown } = current;
  switching = true;
  void teardown()
    .catch(() => undefined)
    .finally(() => {
      switching = false;
      showSignedIn(me);
    });
});

function showLogin(initialError?: MessageKey, email?: string): void {
  current = null;
  document.title = t('app.title');
  const options: Parameters<typeof createLoginView>[0] = { onSignedIn: showSignedIn };
  if (initialError) options.initialError = initialError;
  if (email) options.email = email;
  root.replaceChildren(createLoginView(options));
}

function showWorkspace(me: Me): void {
  document.title = t('app.title');
  const connection = createOperatorConnection();
  const hub = typedHub(connection);
  const titleCounter = createTitleCounter(t('app.title'));
  const notifications = createNotifications();
  const alertFor = (activity: ChatActivity) => {
    switch (activity.kind) {
      case 'chat':
        return { title: t('alert.newChat'), body: activity.visitorName, tag: activity.conversationId };
      case 'invited':
        return { title: t('alert.invited'), body: activity.visitorName, tag: activity.conversationId };
      case 'message':
        return {
          title: t('alert.newMessage', { name: activity.visitorName }),
          body: (activity.text ?? '').slice(0, 140),
          tag: activity.conversationId,
        };
    }
  };
  const presence = createPresence(hub);
  const chats = createChats(hub, {
    onActivity: (activity) => {
      titleCounter.bump();
      if (activity) notifications.alert(alertFor(activity));
    },
  });
  const workspace = chats.workspace;
  createAnswerSuggestions(hub, workspace);
  const typing = createTyping(hub, workspace);
  createTransfer(hub, workspace);
  createInvite(hub, workspace);
  createNotes(hub, workspace);
  createFileSharing(workspace);
  const remote = createRemote(hub, workspace);
  const wrapUp = createWrapUp(hub, workspace);
  createSurveys(hub, workspace);
  const context = createVisitorContext(hub, workspace);
  const isAdmin = me.roles.some((role) => role.toLowerCase() === 'admin');
  const answersAdmin = createAnswersAdmin({ isAdmin });
  const dashboard = createDashboard({ roles: me.roles });
  const queue = createQueue(hub);
  const offers = createOffers(hub, {
    onNew: (offer) => {
      titleCounter.bump();
      notifications.alert({ title: t('alert.offer'), body: offer.visitorName, tag: offer.conversationId });
    },
  });
  const offlineMessages = createOfflineMessages(hub, { onNew: () => titleCounter.bump() });
  const operatorName = el('span', { className: 'operator-name', testId: 'operator-name', text: me.displayName });

  let leaving = false;
  const teardown = async () => {
    if (leaving) return;
    leaving = true;
    await managed.stop();
    chats.dispose();
    remote.dispose();
    typing.dispose();
    wrapUp.dispose();
    answersAdmin.close();
    dashboard.close();
    queue.dispose();
    offers.dispose();
    titleCounter.dispose();
  };
  const leave = async (reason?: MessageKey) => {
    if (leaving) return;
    await teardown();
    showLogin(reason, me.email);
  };
  current = { me, view: 'workspace', teardown };

  const resume = async () => {
    try {
      const state = await offers.sync(() => hub.invoke('GetState'));
      operatorName.textContent = state.displayName;
      presence.applyStatus(state.status);
      await chats.sync(state.chats, state.operatorId);
      await remote.sync();
    } catch {
      // The next reconnect resumes again; nothing else to do here.
    }
  };

  const managed = manageConnection(connection, {
    onConnected: () => {
      void resume();
      void queue.refresh();
      void offlineMessages.refresh();
    },
    // Retry while still signed in; a 401 from /api/auth/me means the session is gone.
    shouldRetry: async () => {
      if (leaving) return false;
      const current = await fetchMe().catch(() => undefined);
      if (current === null) {
        void leave('login.sessionExpired');
        return false;
      }
      return true;
    },
  });

  const logoutButton = el('button', {
    className: 'secondary',
    testId: 'logout',
    text: t('header.logout'),
    attrs: { type: 'button' },
  });
  logoutButton.addEventListener('click', () => {
    logoutButton.disabled = true;
    void managed
      .stop()
      .then(() => logout())
      .catch(() => undefined)
      .finally(() => void leave());
  });

  const boardLink = createBoardLink(me.roles);
  const header = el(
    'header',
    { className: 'app-header' },
    el('span', { className: 'brand', text: t('app.brand') }),
    operatorName,
    el('span', { className: 'spacer' }),
    dashboard.button,
    ...(boardLink ? [boardLink] : []),
    answersAdmin.button,
    notifications.element,
    presence.element,
    managed.indicator,
    logoutButton,
  );
  const left = el('div', { className: 'left-column' }, offers.element, chats.sidebar, queue.element);
  const right = el('aside', { className: 'right-column' }, context.element, offlineMessages.element);
  root.replaceChildren(
    el('div', { className: 'workspace' }, header, el('div', { className: 'columns' }, left, chats.pane, right)),
    answersAdmin.element,
    dashboard.element,
  );
  managed.start();
}

/** The live board (wall screen): its own /hubs/board connection, a snapshot on every (re)connect. */
function showBoard(me: Me): void {
  document.title = t('board.title');
  const backToConsole = () => {
    location.hash = '';
  };
  if (!canSeeBoard(me.roles)) {
    const back = el('button', { className: 'secondary', testId: 'board-exit', text: t('board.exit'), attrs: { type: 'button' } });
    back.addEventListener('click', backToConsole);
    root.replaceChildren(
      el('div', { className: 'board-forbidden', testId: 'board-forbidden' }, el('p', { className: 'panel-error', text: t('board.forbidden') }), back),
    );
    current = { me, view: 'board', teardown: async () => undefined };
    return;
  }
  const connection = createBoardConnection();
  let board: Board | null = null;
  let leaving = false;
  const managed = manageConnection(connection, {
    onConnected: () => void board?.refresh(),
    shouldRetry: async () => {
      if (leaving) return false;
      const signedIn = await fetchMe().catch(() => undefined);
      if (signedIn === null) {
        void teardown().then(() => showLogin('login.sessionExpired', me.email));
        return false;
      }
      return true;
    },
  });
  board = createBoard({ hub: typedBoardHub(connection), indicator: managed.indicator, onExit: backToConsole });
  const shown = board;
  const teardown = async () => {
    if (leaving) return;
    leaving = true;
    shown.dispose();
    await managed.stop();
  };
  current = { me, view: 'board', teardown };
  root.replaceChildren(shown.element);
  managed.start();
}

async function boot(): Promise<void> {
  root.replaceChildren(el('p', { className: 'boot', text: t('app.loading') }));
  try {
    const me = await fetchMe();
    if (me) showSignedIn(me);
    else showLogin();
  } catch {
    showLogin();
  }
}

void boot();
