import type { MessageDto } from '../shared/contract';
import { lastSequence } from './messages';

/** Visitor messages after the last sequence the operator has seen in the active chat. */
export function countUnread(messages: readonly MessageDto[], seenSequence: number): number {
  let count = 0;
  for (const message of messages) {
    if (message.authorKind === 'visitor' && message.sequence > seenSequence) count += 1;
  }
  return count;
}

/** New "seen" mark after looking at a chat: never goes backwards. */
export function markSeen(messages: readonly MessageDto[], seenSequence: number): number {
  return Math.max(seenSequence, lastSequence(messages));
}
