import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import type { BoardHub, OperatorHub } from './contract';
import { getLanguage } from '../i18n';

export const OPERATOR_HUB_URL = '/hubs/operator';

/** Same origin: the auth cookie is sent automatically. The server answers refusals in the console's language. */
export function createOperatorConnection(): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(`${OPERATOR_HUB_URL}?lang=${getLanguage()}`)
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
}

export const BOARD_HUB_URL = '/hubs/board';

/** The live board's own connection (managers and admins only); same cookie auth. */
export function createBoardConnection(): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(BOARD_HUB_URL)
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
}

export function typedBoardHub(connection: HubConnection): BoardHub {
  return {
    invoke(method, ...args) {
      return connection.invoke(method, ...args);
    },
    on(event, handler) {
      connection.on(event, handler);
    },
  };
}

export function typedHub(connection: HubConnection): OperatorHub {
  return {
    invoke(method, ...args) {
      return connection.invoke(method, ...args);
    },
    on(event, handler) {
      connection.on(event, handler);
    },
  };
}

/**
 * Text of a server HubException. SignalR reports it as
 * "An unexpected error occurred invoking 'X' on the server. HubException: <message>".
 * Returns null for anything else (transport errors, unexpected server errors).
 */
export function hubErrorMessage(error: unknown): string | null {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const marker = 'HubException: ';
  const index = message.indexOf(marker);
  if (index < 0) return null;
  const text = message.slice(index + marker.length).trim();
  return text === '' ? null : text;
}
