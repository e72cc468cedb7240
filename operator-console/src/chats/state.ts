import type { ChatDetail, ChatSummary, EndedBy, MessageDto } from '../shared/contract';
import type { ChatClosedReason } from '../shared/workspace';
import type { PendingMessage } from './messages';

/** Visitor details that only GetChat returns. */
export interface ChatDetails {
  visitorEmail: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
  language: string | null;
}

export interface ChatEntry {
  summary: ChatSummary;
  details: ChatDetails | null;
  /** The full last GetChat answer (notes, participants, context, wrap-up…). */
  detail: ChatDetail | null;
  /** Transferred away / left: read-only, kept visible. */
  closed: ChatClosedReason | null;
  /** Joined as an invited operator ("ChatJoined"). */
  invited: boolean;
  /** Confirmed messages, unique and sorted by sequence. */
  messages: MessageDto[];
  /** True once GetChat filled the history; later kept complete with GetMessagesAfter. */
  complete: boolean;
  loading: boolean;
  loadFailed: boolean;
  pending: PendingMessage[];
  seenSequence: number;
  endedBy: EndedBy | null;
  /** Composer text for this chat (kept when switching chats or when sending fails). */
  draft: string;
  /** After a failed send: resending the same text reuses the same clientMessageId. */
  retry: PendingMessage | null;
  error: string | null;
}

export function newEntry(summary: ChatSummary, seenSequence: number): ChatEntry {
  return {
    summary,
    details: null,
    detail: null,
    closed: null,
    invited: false,
    messages: summary.lastMessage ? [summary.lastMessage] : [],
    complete: false,
    loading: false,
    loadFailed: false,
    pending: [],
    seenSequence,
    endedBy: null,
    draft: '',
    retry: null,
    error: null,
  };
}

export function isEnded(entry: ChatEntry): boolean {
  return entry.summary.status === 'ended';
}

/** Ended, transferred away or left: nothing can be written any more. */
export function isReadOnly(entry: ChatEntry): boolean {
  return isEnded(entry) || entry.closed !== null;
}
