import './styles.css';
import { ACCOUNT_HASH, createAccountPage, createInvitationView, invitationToken } from './account';
import { ADMIN_HASH, createAdminArea, isAdminHash } from './admin';
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
import { hasRole, type Me } from './shared/contract';
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
 * #admin… shows the admin area and #account the own account page (no hub connection for either);
 * #invitation=TOKEN, before signing in, the page that accepts an invitation.
 */

const root = document.getElementById('app') ?? document.body;
setLanguage(detectLanguage(navigator.language));
document.title = t('app.title');

type View = 'workspace' | 'board' | 'admin' | 'account';
/** The signed-in view on screen and how to take it down (switching between views by the URL hash). */
let current: { me: Me; view: View; teardown: () => Promise<void> } | null = null;
/** Before signing in: the login form or an invitation page (switching by the URL hash too). */
let signedOutView: 'login' | 'invitation' | null = null;

const isOperator = (me: Me) => hasRole(me.roles, 'Operator');
const isAdmin = (me: Me) => hasRole(me.roles, 'Admin');

function wantedView(me: Me): View {
  const hash = location.hash;
  if (hash === BOARD_HASH) return 'board';
  if (isAdminHash(hash)) return 'admin';
  if (hash === ACCOUNT_HASH) return 'account';
  // Admins who are not operators have no workspace (the operator hub is for operators): the admin area is theirs.
  return !isOperator(me) && isAdmin(me) ? 'admin' : 'workspace';
}

function showSignedIn(me: Me): void {
  signedOutView = null;
  if (me.language) setLanguage(me.language);
  switch (wantedView(me)) {
    case 'board':
      showBoard(me);
      break;
    case 'admin':
      showAdmin(me);
      break;
    case 'account':
      showAccount(me);
      break;
    case 'workspace':
      showWorkspace(me);
  }
}

let switching = false;
window.addEventListener('hashchange', () => {
  if (!current) {
    const wantsInvitation = invitationToken(location.hash) !== null;
    if (wantsInvitation || signedOutView === 'invitation') showSignedOut();
    return;
  }
  if (switching || current.view === wantedView(current.me)) return;
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
  signedOutView = 'login';
  document.title = t('app.title');
  const options: Parameters<typeof createLoginView>[0] = { onSignedIn: showSignedIn };
  if (initialError) options.initialError = initialError;
  if (email) options.email = email;
  root.replaceChildren(createLoginView(options));
}

/** Not signed in: the invitation page when the URL carries one, else the login form. */
function showSignedOut(): void {
  const token = invitationToken(location.hash);
  if (token === null) {
    showLogin();
    return;
  }
  current = null;
  signedOutView = 'invitation';
  document.title = t('invitation.heading');
  root.replaceChildren(
    createInvitationView({
      token,
      fetchMe,
      loginHref: location.pathname + location.search,
      onSignedIn: (me) => {
        // The link is used up: take it out of the URL without a hashchange, then open the console.
        history.replaceState(null, '', location.pathname + location.search);
        showSignedIn(me);
      },
    }),
  );
}

const headerLink = (text: string, testId: string, href: string) => el('a', { className: 'header-link', testId, text, attrs: { href } });

/** "Log out" for the views without a hub connection (admin area, account page). */
function logoutButtonFor(me: Me, teardown: () => Promise<void>): HTMLButtonElement {
  const button = el('button', { className: 'secondary', testId: 'logout', text: t('header.logout'), attrs: { type: 'button' } });
  button.addEventListener('click', () => {
    button.disabled = true;
    void logout()
      .catch(() => undefined)
      .finally(() => void teardown().finally(() => showLogin(undefined, me.email)));
  });
  return button;
}

/** The admin area (#admin…): pages switched by the hash inside the area; no hub connection. */
function showAdmin(me: Me): void {
  document.title = t('admin.title');
  // Admins without a workspace arrive here from the bare console URL: show the area's start page.
  if (!isAdminHash(location.hash)) history.replaceState(null, '', `${location.pathname}${location.search}${ADMIN_HASH}`);
  const teardown = async () => area.dispose();
  const area = createAdminArea({
    me,
    headerItems: [headerLink(t('header.account'), 'account-open', ACCOUNT_HASH), logoutButtonFor(me, teardown)],
    ...(isOperator(me) || !isAdmin(me) ? { onExit: () => void (location.hash = '') } : {}),
  });
  current = { me, view: 'admin', teardown };
  root.replaceChildren(area.element);
}

/** The own account page (#account), for everyone signed in. A new language redraws the page in it. */
function showAccount(me: Me, notice?: string): void {
  document.title = t('account.title');
  const teardown = async () => undefined;
  const items: HTMLElement[] = [];
  if (isOperator(me) || !isAdmin(me)) items.push(headerLink(t('account.back'), 'account-exit', '#'));
  if (isAdmin(me)) items.push(headerLink(t('header.admin'), 'admin-open', ADMIN_HASH));
  items.push(logoutButtonFor(me, teardown));
  const options: Parameters<typeof createAccountPage>[0] = {
    me,
    headerItems: items,
    onSaved: (saved) => {
      const updated: Me = { ...me, displayName: saved.displayName, ...(saved.language ? { language: saved.language } : {}) };
      if (current) current.me = updated;
      if (updated.language && updated.language !== me.language) {
        setLanguage(updated.language);
        showAccount(updated, t('account.saved'));
      }
    },
  };
  if (notice) options.notice = notice;
  current = { me, view: 'account', teardown };
  root.replaceChildren(createAccountPage(options));
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
  const answersAdmin = createAnswersAdmin({ isAdmin: isAdmin(me) });
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
    ...(isAdmin(me) ? [headerLink(t('header.admin'), 'admin-open', ADMIN_HASH)] : []),
    headerLink(t('header.account'), 'account-open', ACCOUNT_HASH),
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
    else showSignedOut();
  } catch {
    showSignedOut();
  }
}

void boot();
