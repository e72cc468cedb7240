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
  /** Pending offers (offer mode), e.g. after a reload. Absent from servers without offer mode. */
  offers?: ChatOffer[];
}

export interface SendMessageRequest {
  clientMessageId: string;
  text: string;
}

export interface ChatEndedEvent {
  conversationId: string;
  endedBy: EndedBy;
}

/** A waiting chat this operator may take (GetQueue). position: place in that chat's skill queue, 1 = next. */
export interface QueueEntry {
  conversationId: string;
  visitorName: string;
  topic: string | null;
  requestedAt: string;
  position: number;
}

/** What a visitor left when nobody could take the chat (GetOfflineMessages, OfflineMessageReceived). */
export interface OfflineMessage {
  id: string;
  conversationId: string | null;
  name: string;
  email: string;
  text: string;
  topic: string | null;
  createdAt: string;
  handled: boolean;
}

/** A chat offered to this operator (offer mode): accept or decline before expiresAt (ISO-8601 UTC). */
export interface ChatOffer {
  conversationId: string;
  visitorName: string;
  topic: string | null;
  expiresAt: string;
}

export interface OfferWithdrawnEvent {
  conversationId: string;
}

/** The HubException text of AcceptOffer/DeclineOffer when the offer is gone. */
export const OFFER_EXPIRED_ERROR = 'This offer has expired or is not yours.';

export const MAX_MESSAGE_LENGTH = 4000;

/* Runtime guards for payloads of the routing additions: the server is trusted for shape, but a bad item
   is dropped instead of breaking the whole panel. */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

export function isQueueEntry(value: unknown): value is QueueEntry {
  return (
    isRecord(value) &&
    typeof value.conversationId === 'string' &&
    typeof value.visitorName === 'string' &&
    isStringOrNull(value.topic ?? null) &&
    typeof value.requestedAt === 'string' &&
    typeof value.position === 'number' &&
    Number.isFinite(value.position)
  );
}

export function isOfflineMessage(value: unknown): value is OfflineMessage {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    isStringOrNull(value.conversationId ?? null) &&
    typeof value.name === 'string' &&
    typeof value.email === 'string' &&
    typeof value.text === 'string' &&
    isStringOrNull(value.topic ?? null) &&
    typeof value.createdAt === 'string' &&
    typeof value.handled === 'boolean'
  );
}

export function isChatOffer(value: unknown): value is ChatOffer {
  return (
    isRecord(value) &&
    typeof value.conversationId === 'string' &&
    typeof value.visitorName === 'string' &&
    isStringOrNull(value.topic ?? null) &&
    typeof value.expiresAt === 'string' &&
    !Number.isNaN(Date.parse(value.expiresAt))
  );
}

export function isOfferWithdrawnEvent(value: unknown): value is OfferWithdrawnEvent {
  return isRecord(value) && typeof value.conversationId === 'string';
}

/** The valid items of an array payload, or null when the payload is not an array. */
export function validItems<T>(value: unknown, guard: (item: unknown) => item is T): T[] | null {
  return Array.isArray(value) ? value.filter(guard) : null;
}

/** Server methods of /hubs/operator: argument tuple and result. */
export interface OperatorHubMethods {
  GetState: { args: []; result: OperatorState };
  SetStatus: { args: [status: SelectableStatus]; result: void };
  GetChat: { args: [conversationId: string]; result: ChatDetail };
  SendMessage: { args: [conversationId: string, message: SendMessageRequest]; result: MessageDto };
  GetMessagesAfter: { args: [conversationId: string, afterSequence: number]; result: MessageDto[] };
  EndChat: { args: [conversationId: string]; result: void };
  GetQueue: { args: []; result: QueueEntry[] };
  TakeChat: { args: [conversationId: string]; result: void };
  GetOfflineMessages: { args: []; result: OfflineMessage[] };
  MarkOfflineMessageHandled: { args: [id: string]; result: void };
  AcceptOffer: { args: [conversationId: string]; result: void };
  DeclineOffer: { args: [conversationId: string]; result: void };
}

/** Client callbacks of /hubs/operator. */
export interface OperatorHubEvents {
  ChatAssigned: ChatSummary;
  MessageReceived: MessageDto;
  ChatEnded: ChatEndedEvent;
  StatusChanged: { status: OperatorStatus };
  /** No argument: the waiting queue changed, call GetQueue again. */
  QueueChanged: undefined;
  OfflineMessageReceived: OfflineMessage;
  ChatOffered: ChatOffer;
  OfferWithdrawn: OfferWithdrawnEvent;
}

/** The typed slice of the hub connection that features use. */
export interface OperatorHub {
  invoke<M extends keyof OperatorHubMethods>(
    method: M,
    ...args: OperatorHubMethods[M]['args']
  ): Promise<OperatorHubMethods[M]['result']>;
  on<E extends keyof OperatorHubEvents>(event: E, handler: (payload: OperatorHubEvents[E]) => void): void;
}
