import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../shared/contract';
import { waitedMs, waitingSince } from './waiting';

const m = (sequence: number, authorKind: MessageDto['authorKind'], sentAt: string): MessageDto => ({
  conversationId: 'c', sequence, clientMessageId: `x${sequence}`, authorKind, authorName: null, text: '', sentAt,
});

describe('waitingSince', () => {
  it('is the first visitor message after the last operator message', () => {
    expect(waitingSince([m(1, 'visitor', 'a'), m(2, 'operator', 'b'), m(3, 'visitor', 'c'), m(4, 'system', 'd'), m(5, 'visitor', 'e')])).toBe('c');
  });
  it('is null once answered, or while a reply is being sent', () => {
    expect(waitingSince([m(1, 'visitor', 'a'), m(2, 'operator', 'b')])).toBeNull();
    expect(waitingSince([m(1, 'visitor', 'a')], true)).toBeNull();
    expect(waitingSince([])).toBeNull();
  });
});

describe('waitedMs', () => {
  it('never goes negative and rejects bad dates', () => {
    expect(waitedMs('2025-01-01T00:00:10Z', Date.parse('2025-01-01T00:00:00Z'))).toBe(0);
    expect(waitedMs('nope', 0)).toBeNull();
  });
});
