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
  /** The file this message shares (null or absent for a text message). */
  file?: SharedFile | null;
}

/** A file sent in a chat; operators download it from GET /api/files/{id}. */
export interface SharedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
}

/** What a site's chats accept: the size limit and the allowed extensions (lower case, no dot). */
export interface FileRules {
  maxBytes: number;
  allowedTypes: string[];
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  /** Issue 11: the console language chosen by the user (absent from older servers). */
  language?: 'en' | 'fr';
}

/** Passwords are at least this long (server: account creation, invitations, password change). */
export const MIN_PASSWORD_LENGTH = 10;

/** Role names as the server spells them (compare without case: older servers sent lower case). */
export type Role = 'Operator' | 'Manager' | 'Admin';

export function hasRole(roles: readonly string[], role: Role): boolean {
  return roles.some((name) => name.toLowerCase() === role.toLowerCase());
}

export interface ChatSummary {
  conversationId: string;
  visitorName: string;
  topic: string;
  status: ConversationStatus;
  requestedAt: string;
  lastMessage: MessageDto | null;
  /** Issue 4: the recorded wrap-up (null = not done yet). Absent from older servers. */
  wrapUp?: WrapUp | null;
  /** Issue 4: when the wrap-up is completed automatically (ISO-8601 UTC), null when not applicable. */
  wrapUpDueAt?: string | null;
}

export interface ChatDetail extends ChatSummary {
  /** Files: the site's rules (absent from older servers: files cannot be sent). */
  fileRules?: FileRules | null;
  visitorEmail: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
  language: string | null;
  messages: MessageDto[];
  /** Issue 4 additions (optional: absent from older servers). */
  notes?: NoteDto[];
  participants?: Participant[];
  context?: VisitorContext | null;
  previousConversations?: PreviousConversation[];
  /** Issue 5: the visitor's end-of-session survey (null = not answered). Absent from older servers. */
  survey?: SurveyAnswers | null;
}

/* ---------- Surveys (issue 5) ---------- */

/** The visitor's end-of-session survey answers; null = question not asked or not answered. */
export interface SurveyAnswers {
  /** 1..5 */
  csat: number | null;
  /** 0..10 */
  nps: number | null;
  /** Customer effort, 1 = very difficult .. 7 = very easy. */
  ces: number | null;
  resolved: boolean | null;
  comment: string | null;
  submittedAt: string;
}

/** Scale of each numeric survey answer. */
export const SURVEY_SCALES = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
} as const;

/** "SurveySubmitted" callback to the conversation's operators. */
export interface SurveySubmittedEvent {
  conversationId: string;
  survey: SurveyAnswers;
}

/* ---------- Operator workspace (issue 4) ---------- */

export type AnswerLanguage = 'en' | 'fr';

/** An answer of the library (GET /api/answers). */
export interface AnswerDto {
  id: string;
  title: string;
  /** Always starts with '#', lower case. */
  shortcut: string;
  /** May contain {visitor.name}, {operator.name}, {site.name}. */
  body: string;
  category: string | null;
  skill: string | null;
  language: AnswerLanguage | null;
  /** Owned by the caller. */
  personal: boolean;
  retired: boolean;
  usageCount: number;
  lastUsedAt: string | null;
  updatedAt: string;
}

/** POST /api/answers body (PUT: the same without `personal`). */
export interface AnswerInput {
  title: string;
  shortcut: string;
  body: string;
  category?: string | null;
  skill?: string | null;
  language?: AnswerLanguage | null;
  personal?: boolean;
}

export interface AnswerImportResult {
  imported: number;
  errors: { line: number; message: string }[];
}

/** SuggestAnswers result item: `text` has the placeholders filled for that conversation (plain text). */
export interface AnswerSuggestion {
  id: string;
  title: string;
  shortcut: string;
  text: string;
  category: string | null;
}

/** "VisitorTyping": draft null = the site turned the preview off (only "is typing" is shown). */
export interface VisitorTypingEvent {
  conversationId: string;
  draft: string | null;
  at: string;
}

export interface TransferRequest {
  toOperatorId?: string;
  toSkill?: string;
  note?: string;
}

export interface TransferOperator {
  id: string;
  displayName: string;
  status: OperatorStatus;
  activeChats: number;
  maxConcurrentChats: number;
}

export interface TransferSkill {
  key: string;
  name: string;
}

export interface TransferTargets {
  operators: TransferOperator[];
  skills: TransferSkill[];
}

export interface ChatTransferredAwayEvent {
  conversationId: string;
}

export interface NoteDto {
  id: string;
  conversationId: string;
  authorName: string;
  text: string;
  createdAt: string;
}

export type ParticipantRole = 'owner' | 'invited';

export interface Participant {
  id: string;
  displayName: string;
  role: ParticipantRole;
}

export type WrapUpDisposition = 'resolved' | 'unresolved' | 'follow_up';
export const WRAP_UP_DISPOSITIONS: readonly WrapUpDisposition[] = ['resolved', 'unresolved', 'follow_up'];

export interface WrapUp {
  disposition: WrapUpDisposition;
  notes: string | null;
  tags: string[];
  completedAt: string;
  /** Completed automatically after the timeout. */
  auto: boolean;
}

export interface WrapUpRequest {
  disposition: WrapUpDisposition;
  notes?: string;
  tags?: string[];
}

export interface VisitedPage {
  url: string;
  title: string | null;
  at: string;
}

export interface VisitorContext {
  browser: string | null;
  os: string | null;
  language: string | null;
  timeZone: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
  pagesVisited: VisitedPage[];
}

export interface PreviousConversation {
  conversationId: string;
  requestedAt: string;
  status: ConversationStatus;
  topic: string | null;
  messages: MessageDto[];
}

export interface VisitorNavigatedEvent {
  conversationId: string;
  url: string;
  title: string | null;
  at: string;
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

/* Runtime guards for the operator workspace (issue 4). */

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isDateString(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

export function isMessageDto(value: unknown): value is MessageDto {
  return (
    isRecord(value) &&
    typeof value.conversationId === 'string' &&
    typeof value.sequence === 'number' &&
    typeof value.clientMessageId === 'string' &&
    typeof value.authorKind === 'string' &&
    isStringOrNull(value.authorName ?? null) &&
    typeof value.text === 'string' &&
    typeof value.sentAt === 'string' &&
    (value.file === undefined || value.file === null || isSharedFile(value.file))
  );
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id goes into a URL path, so it must be a GUID. */
export function isSharedFile(value: unknown): value is SharedFile {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    GUID.test(value.id) &&
    typeof value.name === 'string' &&
    typeof value.size === 'number' &&
    typeof value.contentType === 'string'
  );
}

export function isFileRules(value: unknown): value is FileRules {
  return isRecord(value) && typeof value.maxBytes === 'number' && isStringArray(value.allowedTypes);
}

export function isChatSummary(value: unknown): value is ChatSummary {
  return (
    isRecord(value) &&
    typeof value.conversationId === 'string' &&
    typeof value.visitorName === 'string' &&
    typeof value.status === 'string' &&
    typeof value.requestedAt === 'string' &&
    (value.lastMessage === null || value.lastMessage === undefined || isMessageDto(value.lastMessage))
  );
}

export function isAnswerSuggestion(value: unknown): value is AnswerSuggestion {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    typeof value.shortcut === 'string' &&
    typeof value.text === 'string' &&
    isStringOrNull(value.category ?? null)
  );
}

export function isAnswerDto(value: unknown): value is AnswerDto {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    typeof value.shortcut === 'string' &&
    typeof value.body === 'string' &&
    isStringOrNull(value.category ?? null) &&
    isStringOrNull(value.skill ?? null) &&
    isStringOrNull(value.language ?? null) &&
    typeof value.personal === 'boolean' &&
    typeof value.retired === 'boolean'
  );
}

export function isAnswerImportResult(value: unknown): value is AnswerImportResult {
  return (
    isRecord(value) &&
    typeof value.imported === 'number' &&
    Array.isArray(value.errors) &&
    value.errors.every((e) => isRecord(e) && typeof e.line === 'number' && typeof e.message === 'string')
  );
}

export function isVisitorTypingEvent(value: unknown): value is VisitorTypingEvent {
  return isRecord(value) && typeof value.conversationId === 'string' && isStringOrNull(value.draft ?? null);
}

export function isChatTransferredAwayEvent(value: unknown): value is ChatTransferredAwayEvent {
  return isRecord(value) && typeof value.conversationId === 'string';
}

function isTransferOperator(value: unknown): value is TransferOperator {
  return isRecord(value) && typeof value.id === 'string' && typeof value.displayName === 'string';
}

function isTransferSkill(value: unknown): value is TransferSkill {
  return isRecord(value) && typeof value.key === 'string' && typeof value.name === 'string';
}

/** Normalises GetTransferTargets: malformed items are dropped; null when the payload is not an object. */
export function transferTargetsFrom(value: unknown): TransferTargets | null {
  if (!isRecord(value)) return null;
  return {
    operators: validItems(value.operators ?? [], isTransferOperator) ?? [],
    skills: validItems(value.skills ?? [], isTransferSkill) ?? [],
  };
}

export function isNoteDto(value: unknown): value is NoteDto {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.conversationId === 'string' &&
    typeof value.authorName === 'string' &&
    typeof value.text === 'string' &&
    typeof value.createdAt === 'string'
  );
}

export function isParticipant(value: unknown): value is Participant {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.displayName === 'string' &&
    (value.role === 'owner' || value.role === 'invited')
  );
}

export function isWrapUpDisposition(value: unknown): value is WrapUpDisposition {
  return typeof value === 'string' && (WRAP_UP_DISPOSITIONS as readonly string[]).includes(value);
}

export function isWrapUp(value: unknown): value is WrapUp {
  return (
    isRecord(value) &&
    typeof value.disposition === 'string' &&
    isStringOrNull(value.notes ?? null) &&
    (value.tags === undefined || value.tags === null || isStringArray(value.tags)) &&
    typeof value.completedAt === 'string'
  );
}

export function isVisitedPage(value: unknown): value is VisitedPage {
  return isRecord(value) && typeof value.url === 'string' && isStringOrNull(value.title ?? null) && isDateString(value.at);
}

export function isVisitorNavigatedEvent(value: unknown): value is VisitorNavigatedEvent {
  return isRecord(value) && typeof value.conversationId === 'string' && isVisitedPage(value);
}

export function isPreviousConversation(value: unknown): value is PreviousConversation {
  return (
    isRecord(value) &&
    typeof value.conversationId === 'string' &&
    typeof value.requestedAt === 'string' &&
    Array.isArray(value.messages)
  );
}

/* Runtime guards for surveys (issue 5). A missing answer may be null or absent. */

function isScore(value: unknown, scale: { min: number; max: number }): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'number' && Number.isInteger(value) && value >= scale.min && value <= scale.max)
  );
}

export function isSurveyAnswers(value: unknown): value is SurveyAnswers {
  return (
    isRecord(value) &&
    isScore(value.csat, SURVEY_SCALES.csat) &&
    isScore(value.nps, SURVEY_SCALES.nps) &&
    isScore(value.ces, SURVEY_SCALES.ces) &&
    (value.resolved === null || value.resolved === undefined || typeof value.resolved === 'boolean') &&
    isStringOrNull(value.comment ?? null) &&
    isDateString(value.submittedAt)
  );
}

export function isSurveySubmittedEvent(value: unknown): value is SurveySubmittedEvent {
  return isRecord(value) && typeof value.conversationId === 'string' && isSurveyAnswers(value.survey);
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
  SuggestAnswers: { args: [conversationId: string, query: string]; result: AnswerSuggestion[] };
  AnswerUsed: { args: [answerId: string]; result: void };
  Typing: { args: [conversationId: string]; result: void };
  Transfer: { args: [conversationId: string, request: TransferRequest]; result: void };
  GetTransferTargets: { args: [conversationId: string]; result: TransferTargets };
  Invite: { args: [conversationId: string, operatorId: string]; result: void };
  Leave: { args: [conversationId: string]; result: void };
  AddNote: { args: [conversationId: string, text: string]; result: NoteDto };
  CompleteWrapUp: { args: [conversationId: string, wrapUp: WrapUpRequest]; result: void };
  RequestRemote: { args: [conversationId: string, request: { kind: 'screen' | 'cobrowse' }]; result: unknown };
  GetRemoteSession: { args: [conversationId: string]; result: unknown };
  StopRemote: { args: [sessionId: string]; result: void };
  RemoteSignal: { args: [sessionId: string, payload: string]; result: void };
  RemotePointer: { args: [sessionId: string, pointer: { x: number; y: number; mode: 'point' | 'highlight' | 'hide' }]; result: void };
  GetRemoteRelayAfter: { args: [sessionId: string, afterSequence: number]; result: unknown };
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
  VisitorTyping: VisitorTypingEvent;
  ChatTransferredAway: ChatTransferredAwayEvent;
  /** This operator was invited into a chat. */
  ChatJoined: ChatSummary;
  NoteAdded: NoteDto;
  VisitorNavigated: VisitorNavigatedEvent;
  /** The visitor answered the end-of-session survey. */
  SurveySubmitted: SurveySubmittedEvent;
  /** A screen share / co-browse of one of this operator's chats changed (checked by remote/protocol.ts). */
  RemoteSessionChanged: unknown;
  /** A signalling message or co-browse part for this operator (checked by remote/protocol.ts). */
  RemoteRelay: unknown;
}

/** The typed slice of the hub connection that features use. */
export interface OperatorHub {
  invoke<M extends keyof OperatorHubMethods>(
    method: M,
    ...args: OperatorHubMethods[M]['args']
  ): Promise<OperatorHubMethods[M]['result']>;
  on<E extends keyof OperatorHubEvents>(event: E, handler: (payload: OperatorHubEvents[E]) => void): void;
}

// ---- Live board: hub /hubs/board (managers and admins only)

export type BoardKpi = 'frt.mean' | 'aht.mean' | 'abandonmentRate' | 'csat.rate' | 'nps';
export type BoardStatus = 'green' | 'amber' | 'red';

export interface BoardTodayKpi {
  kpi: BoardKpi;
  /** Seconds for frt/aht, fraction 0..1 for rates, -100..100 for NPS; null = no data. */
  value: number | null;
  target: number | null;
  direction: 'higher' | 'lower' | null;
  status: BoardStatus | null;
}

export interface BoardAlert {
  kind: 'utilization' | 'wait';
  message: string;
}

/** Today's figures of one skill that has targets of its own (the team's target where it has none for a KPI). */
export interface BoardSkill {
  skill: string;
  name: string;
  /** Chats of this skill waiting now. */
  queue: number;
  today: BoardTodayKpi[];
}

export interface BoardSnapshot {
  at: string;
  queue: number;
  longestWaitSeconds: number | null;
  operatorsOnline: number;
  operatorsAway: number;
  operatorsBusy: number;
  activeChats: number;
  today: BoardTodayKpi[];
  utilization: number | null;
  alerts: BoardAlert[];
  /** Skills with targets of their own, by name. */
  skills?: BoardSkill[];
}

export interface BoardHubMethods {
  GetSnapshot: { args: [site: string]; result: BoardSnapshot };
}

export interface BoardHubEvents {
  /** Pushed every 5 s. */
  Snapshot: BoardSnapshot;
}

/** The typed slice of the board hub connection that the board uses. */
export interface BoardHub {
  invoke<M extends keyof BoardHubMethods>(method: M, ...args: BoardHubMethods[M]['args']): Promise<BoardHubMethods[M]['result']>;
  on<E extends keyof BoardHubEvents>(event: E, handler: (payload: BoardHubEvents[E]) => void): void;
}
