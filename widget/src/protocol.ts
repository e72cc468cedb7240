// Shapes shared with the server (docs/contract.md) and the loader <-> frame
// postMessage protocol. Everything coming from outside is untrusted: use the
// guards below before reading fields.

import type { Language } from './i18n';
import { toPointer, type PointerMode } from './remote';

export type AuthorKind = 'visitor' | 'operator' | 'system' | 'automated';
export type ConversationStatus = 'queued' | 'assigned' | 'ended';
export type EndedBy = 'visitor' | 'operator' | 'system';

export interface MessageDto {
  conversationId: string;
  sequence: number;
  clientMessageId: string;
  authorKind: AuthorKind;
  authorName: string | null;
  text: string;
  sentAt: string;
  /** The file this message shares (null for a text message). */
  file: SharedFile | null;
}

/** MessageDto.file: a file sent in the chat; downloaded from GET /api/files/visitor/{id}. */
export interface SharedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
}

/** SiteInfo.files: what the chat accepts (extensions without the dot, lower case). */
export interface FileRules {
  maxBytes: number;
  allowedTypes: string[];
}

export interface ConversationView {
  conversationId: string;
  status: ConversationStatus;
  operatorName: string | null;
  endedBy: EndedBy | null;
  /** Why the conversation ended, e.g. "no_operator", "outside_hours" (null when unknown or still open). */
  endedReason: string | null;
  /** The operator sees the visitor's draft while typing (missing = false). */
  typingPreview: boolean;
  messages: MessageDto[];
  /** End-of-session survey the site asks for (missing = no survey). */
  survey: SurveyInfo;
}

/** End-of-session survey questions, in the order the site asks them. */
export type SurveyQuestion = 'csat' | 'nps' | 'ces' | 'resolved' | 'comment';
export const SURVEY_QUESTIONS: readonly SurveyQuestion[] = ['csat', 'nps', 'ces', 'resolved', 'comment'];

/** ConversationView.survey: what the site asks (empty = no survey) and whether it was answered already. */
export interface SurveyInfo {
  questions: SurveyQuestion[];
  submitted: boolean;
}

/** SubmitSurvey argument: only the answered questions are present. */
export interface SubmitSurveyRequest {
  csat?: number;
  nps?: number;
  ces?: number;
  resolved?: boolean;
  comment?: string;
}

/** Comment length limit of the survey. */
export const SURVEY_COMMENT_MAX = 2000;

/** StartChat ended at once because nobody can take it: the widget offers the offline-message form. */
export const ENDED_REASON_NO_OPERATOR = 'no_operator';
/** StartChat ended at once because the site is outside its business hours: same offline-message form. */
export const ENDED_REASON_OUTSIDE_HOURS = 'outside_hours';

/** Ended reasons for which the widget offers the offline-message form. */
export function offersOfflineMessage(endedReason: string | null): boolean {
  return endedReason === ENDED_REASON_NO_OPERATOR || endedReason === ENDED_REASON_OUTSIDE_HOURS;
}

export interface Topic {
  key: string;
  label: string;
}

export interface SiteInfo {
  key: string;
  name: string;
  topics: Topic[];
  /** The operator sees the visitor's draft while typing (missing = false). */
  typingPreview: boolean;
  /** File rules (missing = no file may be sent). */
  files: FileRules;
  /** An admin disabled the site: StartChat is refused (missing = false). */
  closed: boolean;
  /** The languages the site offers, the first being its default (never empty; missing = both). */
  languages: Language[];
  /** The visitor may have the transcript e-mailed (SMTP is set up; missing = false). */
  emailTranscript: boolean;
}

export interface SessionResponse {
  visitorToken: string;
  visitorId: string;
  site: SiteInfo;
}

export interface StartChatRequest {
  name: string;
  email?: string;
  topic: string;
  pageUrl?: string;
  pageTitle?: string;
  language?: string;
  timeZone?: string;
}

export interface ChatAssignedEvent {
  conversationId: string;
  operatorName: string | null;
}

/** "QueueUpdated" callback: the visitor's place in the waiting queue changed. */
export interface QueueUpdatedEvent {
  conversationId: string;
  /** 1 = next. */
  position: number;
  /** null = not enough data for an estimate ("a few minutes"). */
  estimatedWaitSeconds: number | null;
}

/** LeaveOfflineMessage argument. */
export interface OfflineMessageRequest {
  name: string;
  email: string;
  text: string;
}

/** "OperatorTyping" callback. */
export interface OperatorTypingEvent {
  conversationId: string;
  operatorName: string | null;
}

/** PageChanged argument (visitor navigation during a chat). */
export interface PageChangedRequest {
  url: string;
  title: string;
}

/** GetTranscript result: plain-text transcript of the current conversation. */
export interface Transcript {
  fileName: string;
  text: string;
}

export interface ChatEndedEvent {
  conversationId: string;
  endedBy: EndedBy | null;
}

// ---- postMessage protocol -------------------------------------------------

export const MSG_PREFIX = 'chatdesk:';

/** iframe -> loader */
export type FrameToLoader =
  | { type: 'chatdesk:ready' }
  | { type: 'chatdesk:close' }
  | { type: 'chatdesk:unread'; count: number }
  | { type: 'chatdesk:conversation'; open: boolean }
  /** Visitor token to keep in the host page's storage (null = forget it). */
  | { type: 'chatdesk:token-save'; token: string | null }
  /**
   * Remote support state: 'asking' (consent prompt shown: open the panel), 'screen' / 'cobrowse'
   * (running: show the sharing bar; co-browse also records the page), 'off'.
   */
  | { type: 'chatdesk:remote'; state: RemoteLoaderState; operatorName: string }
  /** The operator's pointer on the visitor's page during co-browse (fractions of the viewport). */
  | { type: 'chatdesk:remote-pointer'; x: number; y: number; mode: PointerMode; operatorName: string };

/** loader -> iframe */
export type LoaderToFrame =
  | { type: 'chatdesk:page'; url: string; title: string }
  /** Extension: tells the frame whether the panel is shown (for unread counting). */
  | { type: 'chatdesk:visibility'; open: boolean }
  /** Visitor token kept in the host page's storage (null = none), sent in reply to chatdesk:ready. */
  | { type: 'chatdesk:token'; token: string | null }
  /** The visitor pressed Stop on the sharing bar. */
  | { type: 'chatdesk:remote-stop' }
  /** A batch of recorded page events (rrweb, JSON text) while co-browsing. */
  | { type: 'chatdesk:cobrowse-events'; data: string };

export type RemoteLoaderState = 'off' | 'asking' | 'screen' | 'cobrowse';
const REMOTE_LOADER_STATES: readonly string[] = ['off', 'asking', 'screen', 'cobrowse'];

/** Largest batch the loader hands to the frame (the frame splits it into hub-sized parts). */
export const COBROWSE_BATCH_MAX = 4_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export const VISITOR_TOKEN_MAX = 4096;
const VISITOR_TOKEN_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Shape of a server-issued visitor token ("payload.signature", base64url). */
export function isVisitorToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= VISITOR_TOKEN_MAX && VISITOR_TOKEN_PATTERN.test(value);
}

/** `token` field of the token messages: null or a well-formed token; undefined means invalid. */
function parseTokenField(value: unknown): string | null | undefined {
  if (value === null) return null;
  return isVisitorToken(value) ? value : undefined;
}

export function parseFrameToLoader(data: unknown): FrameToLoader | null {
  if (!isRecord(data) || typeof data.type !== 'string') return null;
  switch (data.type) {
    case 'chatdesk:ready':
      return { type: 'chatdesk:ready' };
    case 'chatdesk:close':
      return { type: 'chatdesk:close' };
    case 'chatdesk:unread': {
      const count = data.count;
      if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) return null;
      return { type: 'chatdesk:unread', count: Math.floor(count) };
    }
    case 'chatdesk:conversation':
      if (typeof data.open !== 'boolean') return null;
      return { type: 'chatdesk:conversation', open: data.open };
    case 'chatdesk:token-save': {
      const token = parseTokenField(data.token);
      if (token === undefined) return null;
      return { type: 'chatdesk:token-save', token };
    }
    case 'chatdesk:remote':
      if (typeof data.state !== 'string' || !REMOTE_LOADER_STATES.includes(data.state) || typeof data.operatorName !== 'string') return null;
      return { type: 'chatdesk:remote', state: data.state as RemoteLoaderState, operatorName: data.operatorName.slice(0, 100) };
    case 'chatdesk:remote-pointer': {
      const pointer = toPointer(data);
      if (!pointer || typeof data.operatorName !== 'string') return null;
      return { type: 'chatdesk:remote-pointer', ...pointer, operatorName: data.operatorName.slice(0, 100) };
    }
    default:
      return null;
  }
}

export function parseLoaderToFrame(data: unknown): LoaderToFrame | null {
  if (!isRecord(data) || typeof data.type !== 'string') return null;
  switch (data.type) {
    case 'chatdesk:page':
      if (typeof data.url !== 'string' || typeof data.title !== 'string') return null;
      return { type: 'chatdesk:page', url: data.url.slice(0, 2048), title: data.title.slice(0, 512) };
    case 'chatdesk:visibility':
      if (typeof data.open !== 'boolean') return null;
      return { type: 'chatdesk:visibility', open: data.open };
    case 'chatdesk:token': {
      const token = parseTokenField(data.token);
      if (token === undefined) return null;
      return { type: 'chatdesk:token', token };
    }
    case 'chatdesk:remote-stop':
      return { type: 'chatdesk:remote-stop' };
    case 'chatdesk:cobrowse-events':
      if (typeof data.data !== 'string' || data.data.length === 0 || data.data.length > COBROWSE_BATCH_MAX) return null;
      return { type: 'chatdesk:cobrowse-events', data: data.data };
    default:
      return null;
  }
}

// ---- server payload guards --------------------------------------------------

const AUTHOR_KINDS: readonly string[] = ['visitor', 'operator', 'system', 'automated'];
const STATUSES: readonly string[] = ['queued', 'assigned', 'ended'];
const ENDED_BY: readonly string[] = ['visitor', 'operator', 'system'];

function optString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function toMessageDto(value: unknown): MessageDto | null {
  if (!isRecord(value)) return null;
  const { conversationId, sequence, clientMessageId, authorKind, authorName, text, sentAt } = value;
  if (typeof conversationId !== 'string') return null;
  if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 1) return null;
  if (typeof text !== 'string') return null;
  return {
    conversationId,
    sequence,
    clientMessageId: typeof clientMessageId === 'string' ? clientMessageId : '',
    authorKind: (typeof authorKind === 'string' && AUTHOR_KINDS.includes(authorKind)
      ? authorKind
      : 'system') as AuthorKind,
    authorName: optString(authorName),
    text,
    sentAt: typeof sentAt === 'string' ? sentAt : '',
    file: toSharedFile(value.file),
  };
}

const FILE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** MessageDto.file: the id must be a GUID (it goes into a URL path); anything odd = no file. */
export function toSharedFile(value: unknown): SharedFile | null {
  if (!isRecord(value)) return null;
  const { id, name, size, contentType } = value;
  if (typeof id !== 'string' || !FILE_ID_PATTERN.test(id) || typeof name !== 'string') return null;
  return {
    id,
    name,
    size: typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : 0,
    contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
  };
}

/** SiteInfo.files: a missing or odd value allows nothing. */
export function toFileRules(value: unknown): FileRules {
  if (!isRecord(value)) return { maxBytes: 0, allowedTypes: [] };
  const { maxBytes, allowedTypes } = value;
  return {
    maxBytes: typeof maxBytes === 'number' && Number.isSafeInteger(maxBytes) && maxBytes > 0 ? maxBytes : 0,
    allowedTypes: Array.isArray(allowedTypes)
      ? allowedTypes.filter((t): t is string => typeof t === 'string' && /^[a-z0-9]{1,16}$/.test(t))
      : [],
  };
}

export function toMessageList(value: unknown): MessageDto[] {
  if (!Array.isArray(value)) return [];
  const out: MessageDto[] = [];
  for (const item of value) {
    const dto = toMessageDto(item);
    if (dto) out.push(dto);
  }
  return out;
}

export function toEndedBy(value: unknown): EndedBy | null {
  return typeof value === 'string' && ENDED_BY.includes(value) ? (value as EndedBy) : null;
}

export function toConversationView(value: unknown): ConversationView | null {
  if (!isRecord(value) || typeof value.conversationId !== 'string') return null;
  const status = typeof value.status === 'string' && STATUSES.includes(value.status)
    ? (value.status as ConversationStatus)
    : 'queued';
  return {
    conversationId: value.conversationId,
    status,
    operatorName: optString(value.operatorName),
    endedBy: toEndedBy(value.endedBy),
    endedReason: optString(value.endedReason),
    typingPreview: value.typingPreview === true,
    messages: toMessageList(value.messages),
    survey: toSurveyInfo(value.survey),
  };
}

/** ConversationView.survey: unknown question keys are dropped, duplicates ignored; anything odd = no survey. */
export function toSurveyInfo(value: unknown): SurveyInfo {
  if (!isRecord(value)) return { questions: [], submitted: false };
  const questions: SurveyQuestion[] = [];
  if (Array.isArray(value.questions)) {
    for (const q of value.questions) {
      if (typeof q === 'string' && (SURVEY_QUESTIONS as readonly string[]).includes(q) && !questions.includes(q as SurveyQuestion)) {
        questions.push(q as SurveyQuestion);
      }
    }
  }
  return { questions, submitted: value.submitted === true };
}

export function toSessionResponse(value: unknown): SessionResponse | null {
  if (!isRecord(value) || typeof value.visitorToken !== 'string' || !isRecord(value.site)) return null;
  const site = value.site;
  const topics: Topic[] = [];
  if (Array.isArray(site.topics)) {
    for (const t of site.topics) {
      if (isRecord(t) && typeof t.key === 'string') {
        topics.push({ key: t.key, label: typeof t.label === 'string' ? t.label : t.key });
      }
    }
  }
  return {
    visitorToken: value.visitorToken,
    visitorId: typeof value.visitorId === 'string' ? value.visitorId : '',
    site: {
      key: typeof site.key === 'string' ? site.key : '',
      name: typeof site.name === 'string' ? site.name : '',
      topics,
      typingPreview: site.typingPreview === true,
      files: toFileRules(site.files),
      closed: site.closed === true,
      languages: toSiteLanguages(site.languages),
      emailTranscript: site.emailTranscript === true,
    },
  };
}

const LANGUAGES: readonly string[] = ['en', 'fr'];

/** SiteInfo.languages: unknown and repeated entries are dropped; nothing usable (e.g. an older server) = both. */
export function toSiteLanguages(value: unknown): Language[] {
  const languages: Language[] = [];
  if (Array.isArray(value)) {
    for (const language of value) {
      if (typeof language === 'string' && LANGUAGES.includes(language) && !languages.includes(language as Language)) {
        languages.push(language as Language);
      }
    }
  }
  return languages.length > 0 ? languages : ['en', 'fr'];
}

export function toChatAssigned(value: unknown): ChatAssignedEvent | null {
  if (!isRecord(value) || typeof value.conversationId !== 'string') return null;
  return { conversationId: value.conversationId, operatorName: optString(value.operatorName) };
}

export function toChatEnded(value: unknown): ChatEndedEvent | null {
  if (!isRecord(value) || typeof value.conversationId !== 'string') return null;
  return { conversationId: value.conversationId, endedBy: toEndedBy(value.endedBy) };
}

/**
 * "QueueUpdated" payload. The position must be a whole number >= 1; an estimate
 * that is missing, negative or not a finite number counts as unknown (null),
 * so the widget never shows a made-up wait.
 */
export function toQueueUpdated(value: unknown): QueueUpdatedEvent | null {
  if (!isRecord(value) || typeof value.conversationId !== 'string') return null;
  const { position, estimatedWaitSeconds } = value;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1) return null;
  const estimate = typeof estimatedWaitSeconds === 'number' && Number.isFinite(estimatedWaitSeconds) && estimatedWaitSeconds >= 0
    ? estimatedWaitSeconds
    : null;
  return { conversationId: value.conversationId, position, estimatedWaitSeconds: estimate };
}

export function toOperatorTyping(value: unknown): OperatorTypingEvent | null {
  if (!isRecord(value) || typeof value.conversationId !== 'string') return null;
  return { conversationId: value.conversationId, operatorName: optString(value.operatorName) };
}

export const TRANSCRIPT_FALLBACK_NAME = 'chat-transcript.txt';

/**
 * Makes a server-given file name safe for <a download>: no path or control
 * characters, at most 120 characters, always ending in ".txt".
 */
export function safeTranscriptFileName(value: unknown): string {
  if (typeof value !== 'string') return TRANSCRIPT_FALLBACK_NAME;
  let name = value.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').replace(/^[\s.]+|[\s.]+$/g, '');
  if (!name) return TRANSCRIPT_FALLBACK_NAME;
  if (!/\.txt$/i.test(name)) name += '.txt';
  if (name.length > 120) name = `${name.slice(0, 116)}.txt`;
  return name;
}

/** GetTranscript result (text required; a missing/odd file name gets a safe default). */
export function toTranscript(value: unknown): Transcript | null {
  if (!isRecord(value) || typeof value.text !== 'string') return null;
  return { fileName: safeTranscriptFileName(value.fileName), text: value.text };
}
