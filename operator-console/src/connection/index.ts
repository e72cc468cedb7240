import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import { t, type MessageKey } from '../i18n';
import { el } from '../shared/dom';

export type ConnectionState = 'connected' | 'reconnecting' | 'disconnected';

export interface ConnectionOptions {
  /** Called after the first connect and after every reconnect (resume point). */
  onConnected(): void;
  /** Called when (re)connecting fails; return false to stop retrying (e.g. signed out). */
  shouldRetry(): Promise<boolean>;
}

export interface ManagedConnection {
  indicator: HTMLElement;
  start(): void;
  stop(): Promise<void>;
}

const retryDelaysMs = [2000, 5000, 10000, 30000];

/**
 * Owns the hub connection lifecycle: first start, the automatic reconnect of SignalR,
 * and restarting after SignalR gives up. Shows the state in the connection indicator.
 */
export function manageConnection(connection: HubConnection, options: ConnectionOptions): ManagedConnection {
  const indicator = el('span', { className: 'connection-status', testId: 'connection-status', attrs: { role: 'status' } });
  const show = (state: ConnectionState, key: MessageKey) => {
    indicator.dataset.state = state;
    indicator.textContent = t(key);
  };
  show('disconnected', 'connection.disconnected');

  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async () => {
    if (stopped || connection.state !== HubConnectionState.Disconnected) return;
    show('reconnecting', attempt === 0 ? 'connection.connecting' : 'connection.reconnecting');
    try {
      await connection.start();
      attempt = 0;
      show('connected', 'connection.connected');
      options.onConnected();
    } catch {
      if (stopped) return;
      show('disconnected', 'connection.disconnected');
      if (await options.shouldRetry()) scheduleRetry();
    }
  };

  const scheduleRetry = () => {
    if (stopped) return;
    const delay = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)] ?? 30000;
    attempt += 1;
    clearTimeout(timer);
    timer = setTimeout(() => void connect(), delay);
  };

  // The server lost pushes (its backplane was away): resume as after a reconnect.
  connection.on('Resync', () => options.onConnected());
  connection.onreconnecting(() => show('reconnecting', 'connection.reconnecting'));
  connection.onreconnected(() => {
    show('connected', 'connection.connected');
    options.onConnected();
  });
  connection.onclose(() => {
    if (stopped) return;
    show('disconnected', 'connection.disconnected');
    // Automatic reconnect gave up (or the server closed us): keep trying while still signed in.
    void options.shouldRetry().then((retry) => {
      if (retry) scheduleRetry();
    });
  });

  return {
    indicator,
    start() {
      void connect();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      show('disconnected', 'connection.disconnected');
      await connection.stop().catch(() => undefined);
    },
  };
}
