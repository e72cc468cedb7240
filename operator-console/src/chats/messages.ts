import type { MessageDto } from '../shared/contract';

/** An own message shown at once, before the server has confirmed it. */
export interface PendingMessage {
  clientMessageId: string;
  text: string;
}

function hasValidSequence(message: MessageDto): boolean {
  return Number.isInteger(message.sequence) && message.sequence > 0;
}

/**
 * Merge incoming messages into a list (resume rule): a sequence already present is ignored,
 * so nothing is shown twice; the result is sorted by sequence. Inputs are not modified.
 */
export function mergeMessages(current: readonly MessageDto[], incoming: readonly MessageDto[]): MessageDto[] {
  const bySequence = new Map<number, MessageDto>();
  for (const message of current) if (hasValidSequence(message)) bySequence.set(message.sequence, message);
  for (const message of incoming) {
    if (hasValidSequence(message) && !bySequence.has(message.sequence)) bySequence.set(message.sequence, message);
  }
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}

/** Highest sequence seen (0 when none): the argument for GetMessagesAfter. */
export function lastSequence(messages: readonly MessageDto[]): number {
  let max = 0;
  for (const message of messages) if (message.sequence > max) max = message.sequence;
  return max;
}

/**
 * Highest n such that sequences 1..n are all held. Sequences are gap-free per conversation, so this is
 * the safe resume point: a later message learned out of band (e.g. a summary's lastMessage) never hides a gap.
 */
export function contiguousSequence(messages: readonly MessageDto[]): number {
  const held = new Set(messages.map((m) => m.sequence));
  let n = 0;
  while (held.has(n + 1)) n += 1;
  return n;
}

export function lastMessage(messages: readonly MessageDto[]): MessageDto | null {
  let last: MessageDto | null = null;
  for (const message of messages) if (!last || message.sequence > last.sequence) last = message;
  return last;
}

export function isConfirmed(messages: readonly MessageDto[], clientMessageId: string): boolean {
  return messages.some((m) => m.clientMessageId === clientMessageId);
}

/** Drop pending messages the server has confirmed (matched by clientMessageId). */
export function withoutConfirmed(
  pending: readonly PendingMessage[],
  messages: readonly MessageDto[],
): PendingMessage[] {
  const confirmed = new Set(messages.map((m) => m.clientMessageId));
  return pending.filter((p) => !confirmed.has(p.clientMessageId));
}
