/** Types for the server contract (docs/contract.md). All JSON is camelCase. */

export type AuthorKind = 'visitor' | 'operator' | 'system' | 'automated';
export type ConversationStatus = 'queued' | 'assigned' | 'ended';
export type EndedBy = 'visitor' | 'operator' | 'system';
export type OperatorStatus = 'online' | 'away' | 'offline';
export type SelectableStatus = Exclude<OperatorStatus, 'offline'>;

export interface MessageDto {
  conversationId: string;
  sequence: number;
  clientMessageId: string;
  authorKind: AuthorKind;
  authorName: string | null;
  text: string;
  sentAt: string;
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
}

export interface ChatSummary {
  conversationId: string;
  visitorName: string;
  topic: string;
  status: ConversationStatus;
  requestedAt: string;
  lastMessage: MessageDto | null;
}

export interface ChatDetail extends ChatSummary {
  visitorEmail: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
  language: string | null;
  messages: MessageDto[];
}

export interface OperatorState {
  operatorId: string;
  displayName: string;
  status: OperatorStatus;
  chats: ChatSummary[];
}

export interface SendMessageRequest {
  clientMessageId: string;
  text: string;
}

export interface ChatEndedEvent {
  conversationId: string;
  endedBy: EndedBy;
}

export const MAX_MESSAGE_LENGTH = 4000;

/** Server methods of /hubs/operator: argument tuple and result. */
export interface OperatorHubMethods {
  GetState: { args: []; result: OperatorState };
  SetStatus: { args: [status: SelectableStatus]; result: void };
  GetChat: { args: [conversationId: string]; result: ChatDetail };
  SendMessage: { args: [conversationId: string, message: SendMessageRequest]; result: MessageDto };
  GetMessagesAfter: { args: [conversationId: string, afterSequence: number]; result: MessageDto[] };
  EndChat: { args: [conversationId: string]; result: void };
}

/** Client callbacks of /hubs/operator. */
export interface OperatorHubEvents {
  ChatAssigned: ChatSummary;
  MessageReceived: MessageDto;
  ChatEnded: ChatEndedEvent;
  StatusChanged: { status: OperatorStatus };
}

/** The typed slice of the hub connection that features use. */
export interface OperatorHub {
  invoke<M extends keyof OperatorHubMethods>(
    method: M,
    ...args: OperatorHubMethods[M]['args']
  ): Promise<OperatorHubMethods[M]['result']>;
  on<E extends keyof OperatorHubEvents>(event: E, handler: (payload: OperatorHubEvents[E]) => void): void;
}
