import { t } from '../i18n';
import { el } from '../shared/dom';

export interface Alert {
  title: string;
  body: string;
  /** Same tag = the newer notification replaces the older one. */
  tag?: string;
}

/** The part of the Notification API we use (injectable for tests). */
export interface NotificationApi {
  permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  show(alert: Alert): void;
}

export interface NotificationsOptions {
  api?: NotificationApi | null;
  beep?: () => void;
  isHidden?: () => boolean;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export interface NotificationsFeature {
  /** The opt-in toggle (header). */
  element: HTMLElement;
  enabled(): boolean;
  /** Sound + browser notification, only when enabled and the tab is hidden. */
  alert(alert: Alert): void;
}

const STORAGE_KEY = 'chatdesk.console.notifications';

function browserApi(): NotificationApi | null {
  if (typeof window === 'undefined' || !('Notification' in window)) return null;
  const N = window.Notification;
  return {
    get permission() {
      return N.permission;
    },
    requestPermission: () => N.requestPermission(),
    show(alert) {
      const notification = new N(alert.title, { body: alert.body, tag: alert.tag ?? '' });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
    },
  };
}

/** A short two-tone beep with WebAudio (no asset file). The context is created on the opt-in click. */
function createBeeper(): { prime(): void; beep(): void } {
  let context: AudioContext | null = null;
  const prime = () => {
    if (context) {
      void context.resume().catch(() => undefined);
      return;
    }
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return;
    try {
      context = new Ctor();
    } catch {
      context = null;
    }
  };
  const beep = () => {
    prime();
    if (!context) return;
    const start = context.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.16, 1320],
    ] as const) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.14);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.15);
    }
  };
  return { prime, beep };
}

/**
 * Opt-in alerts for when the console tab is hidden: a beep and a browser notification for new chats,
 * offers and visitor messages. The toggle asks for the Notification permission; if it is refused, the beep stays.
 */
export function createNotifications(options: NotificationsOptions = {}): NotificationsFeature {
  const api = options.api === undefined ? browserApi() : options.api;
  const beeper = createBeeper();
  const beep = options.beep ?? (() => beeper.beep());
  const isHidden = options.isHidden ?? (() => document.hidden);
  const storage = options.storage === undefined ? safeLocalStorage() : options.storage;
  let enabled = storage?.getItem(STORAGE_KEY) === 'on';

  const toggle = el('button', {
    className: 'secondary notifications-toggle',
    testId: 'notifications-toggle',
    attrs: { type: 'button', 'aria-pressed': 'false' },
  });
  const status = el('span', { className: 'notifications-status muted', testId: 'notifications-status' });
  const element = el('span', { className: 'notifications' }, toggle, status);

  const render = () => {
    toggle.setAttribute('aria-pressed', String(enabled));
    toggle.textContent = enabled ? t('notifications.on') : t('notifications.off');
    toggle.title = t('notifications.hint');
    const blocked = enabled && api !== null && api.permission === 'denied';
    const unsupported = enabled && api === null;
    status.textContent = blocked ? t('notifications.blocked') : unsupported ? t('notifications.unsupported') : '';
    status.hidden = status.textContent === '';
  };

  toggle.addEventListener('click', () => {
    enabled = !enabled;
    try {
      storage?.setItem(STORAGE_KEY, enabled ? 'on' : 'off');
    } catch {
      // not persisted; still works for this session
    }
    if (enabled) {
      if (!options.beep) beeper.prime(); // a user gesture unlocks audio for later
      if (api && api.permission === 'default') {
        void api.requestPermission().then(render, render);
      }
    }
    render();
  });
  render();

  return {
    element,
    enabled: () => enabled,
    alert(alert) {
      if (!enabled || !isHidden()) return;
      try {
        beep();
      } catch {
        // no audio: the notification still shows
      }
      if (api && api.permission === 'granted') {
        try {
          api.show(alert);
        } catch {
          // e.g. Android Chrome needs a service worker for notifications: the beep and title counter remain
        }
      }
    },
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
