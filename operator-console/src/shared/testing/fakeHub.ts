import type { OperatorHub, OperatorHubEvents, OperatorHubMethods } from '../contract';

/** Test support only (not imported by the app): an in-memory OperatorHub. */

export type FakeHubImpl = {
  [M in keyof OperatorHubMethods]?: (...args: OperatorHubMethods[M]['args']) => Promise<OperatorHubMethods[M]['result']>;
};

export interface FakeHub {
  hub: OperatorHub;
  calls: { method: string; args: unknown[] }[];
  /** Calls every handler registered for the event, like SignalR does. */
  emit<E extends keyof OperatorHubEvents>(event: E, payload: OperatorHubEvents[E]): void;
  count(method: keyof OperatorHubMethods): number;
}

export function fakeHub(impl: FakeHubImpl): FakeHub {
  const handlers = new Map<string, ((payload: never) => void)[]>();
  const calls: { method: string; args: unknown[] }[] = [];
  const hub: OperatorHub = {
    invoke(method, ...args) {
      calls.push({ method, args });
      const fn = impl[method] as ((...a: unknown[]) => Promise<never>) | undefined;
      return fn ? fn(...args) : Promise.reject(new Error(`no fake for ${method}`));
    },
    on(event, handler) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler as (payload: never) => void]);
    },
  };
  return {
    hub,
    calls,
    emit(event, payload) {
      for (const handler of handlers.get(event) ?? []) (handler as (p: typeof payload) => void)(payload);
    },
    count: (method) => calls.filter((c) => c.method === method).length,
  };
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A SignalR-like error carrying a HubException message. */
export function hubException(method: string, message: string): Error {
  return new Error(`An unexpected error occurred invoking '${method}' on the server. HubException: ${message}`);
}
