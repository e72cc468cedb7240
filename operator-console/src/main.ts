import './styles.css';
import { createLoginView, fetchMe, logout } from './auth';
import { createChats } from './chats';
import { manageConnection } from './connection';
import { detectLanguage, setLanguage, t, type MessageKey } from './i18n';
import { createOfflineMessages } from './offline-messages';
import { createOffers } from './offers';
import { createPresence } from './presence';
import { createQueue } from './queue';
import type { Me } from './shared/contract';
import { el } from './shared/dom';
import { createOperatorConnection, typedHub } from './shared/hub';
import { createTitleCounter } from './shared/titleCounter';

/** Wires the features together: auth -> workspace (header, presence, connection, offers, chats, queue, offline messages). */

const root = document.getElementById('app') ?? document.body;
setLanguage(detectLanguage(navigator.language));
document.title = t('app.title');

function showLogin(initialError?: MessageKey, email?: string): void {
  document.title = t('app.title');
  const options: Parameters<typeof createLoginView>[0] = { onSignedIn: showWorkspace };
  if (initialError) options.initialError = initialError;
  if (email) options.email = email;
  root.replaceChildren(createLoginView(options));
}

function showWorkspace(me: Me): void {
  const connection = createOperatorConnection();
  const hub = typedHub(connection);
  const titleCounter = createTitleCounter(t('app.title'));
  const presence = createPresence(hub);
  const chats = createChats(hub, { onActivity: () => titleCounter.bump() });
  const queue = createQueue(hub);
  const offers = createOffers(hub, { onNew: () => titleCounter.bump() });
  const offlineMessages = createOfflineMessages(hub, { onNew: () => titleCounter.bump() });
  const operatorName = el('span', { className: 'operator-name', testId: 'operator-name', text: me.displayName });

  let leaving = false;
  const leave = async (reason?: MessageKey) => {
    if (leaving) return;
    leaving = true;
    await managed.stop();
    chats.dispose();
    queue.dispose();
    offers.dispose();
    titleCounter.dispose();
    showLogin(reason, me.email);
  };

  const resume = async () => {
    try {
      const state = await offers.sync(() => hub.invoke('GetState'));
      operatorName.textContent = state.displayName;
      presence.applyStatus(state.status);
      await chats.sync(state.chats);
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

  const header = el(
    'header',
    { className: 'app-header' },
    el('span', { className: 'brand', text: t('app.brand') }),
    operatorName,
    el('span', { className: 'spacer' }),
    presence.element,
    managed.indicator,
    logoutButton,
  );
  const left = el('div', { className: 'left-column' }, offers.element, chats.sidebar, queue.element);
  const right = el('aside', { className: 'right-column' }, offlineMessages.element);
  root.replaceChildren(el('div', { className: 'workspace' }, header, el('div', { className: 'columns' }, left, chats.pane, right)));
  managed.start();
}

async function boot(): Promise<void> {
  root.replaceChildren(el('p', { className: 'boot', text: t('app.loading') }));
  try {
    const me = await fetchMe();
    if (me) showWorkspace(me);
    else showLogin();
  } catch {
    showLogin();
  }
}

void boot();
