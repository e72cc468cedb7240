// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { HubConnection } from '@microsoft/signalr';
import { manageConnection } from '.';

type Handler = (...args: unknown[]) => void;

/** Just enough of a HubConnection: handlers by name, lifecycle callbacks, start and stop. */
function fakeConnection() {
  const handlers = new Map<string, Handler>();
  const reconnected: Handler[] = [];
  const connection = {
    state: 'Disconnected',
    on: (name: string, fn: Handler) => handlers.set(name, fn),
    onreconnecting: () => undefined,
    onreconnected: (fn: Handler) => reconnected.push(fn),
    onclose: () => undefined,
    start: vi.fn(async () => {
      connection.state = 'Connected';
    }),
    stop: vi.fn(async () => {
      connection.state = 'Disconnected';
    }),
  };
  return { connection, handlers, reconnected };
}

describe('manageConnection', () => {
  it('runs the resume step on connect, on reconnect and when the server asks to resync', async () => {
    const { connection, handlers, reconnected } = fakeConnection();
    const onConnected = vi.fn();
    const managed = manageConnection(connection as unknown as HubConnection, { onConnected, shouldRetry: async () => true });

    managed.start();
    await vi.waitFor(() => expect(onConnected).toHaveBeenCalledTimes(1));
    expect(managed.indicator.dataset.state).toBe('connected');
    reconnected.forEach((fn) => fn());
    expect(onConnected).toHaveBeenCalledTimes(2);
    handlers.get('Resync')?.();
    expect(onConnected).toHaveBeenCalledTimes(3);
    await managed.stop();
  });
});
