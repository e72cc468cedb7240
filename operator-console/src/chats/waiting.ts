import type { MessageDto } from '../shared/contract';

/** After this long without an answer, the waiting time is highlighted. */
export const LONG_WAIT_MS = 60_000;

/**
 * Since when the visitor has been waiting for an answer: the time of the first visitor message after the
 * last operator message (so several unanswered messages count from the first one). Null when the last
 * word was the operator's, or an own reply is being sent. System/automated messages do not count as answers.
 */
export function waitingSince(messages: readonly MessageDto[], replyPending = false): string | null {
  if (replyPending) return null;
  let since: string | null = null;
  for (const message of messages) {
    if (message.authorKind === 'operator') since = null;
    else if (message.authorKind === 'visitor' && since === null) since = message.sentAt;
  }
  return since;
}

/** Milliseconds waited (never negative), or null for an unparsable time. */
export function waitedMs(since: string, now: number): number | null {
  const start = Date.parse(since);
  return Number.isNaN(start) ? null : Math.max(0, now - start);
}
