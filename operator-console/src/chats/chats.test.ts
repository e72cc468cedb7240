import { describe, expect, it } from 'vitest';
import type { AuthorKind, MessageDto } from '../shared/contract';
import { contiguousSequence, isConfirmed, lastMessage, lastSequence, mergeMessages, withoutConfirmed } from './messages';
import { neighbourChat, sortChats } from './order';
import { countUnread, markSeen } from './unread';

function msg(sequence: number, authorKind: AuthorKind = 'visitor', text = `m${sequence}`): MessageDto {
  return {
    conversationId: 'c1',
    sequence,
    clientMessageId: `client-${sequence}`,
    authorKind,
    authorName: null,
    text,
    sentAt: '2025-01-01T10:00:00Z',
  };
}

describe('mergeMessages', () => {
  it('sorts by sequence', () => {
    expect(mergeMessages([], [msg(3), msg(1), msg(2)]).map((m) => m.sequence)).toEqual([1, 2, 3]);
  });

  it('ignores a sequence already shown (nothing twice)', () => {
    const merged = mergeMessages([msg(1, 'visitor', 'original'), msg(2)], [msg(1, 'visitor', 'duplicate'), msg(3)]);
    expect(merged.map((m) => m.sequence)).toEqual([1, 2, 3]);
    expect(merged[0]?.text).toBe('original');
  });

  it('fills gaps after a reconnect (nothing lost)', () => {
    const merged = mergeMessages([msg(1), msg(4)], [msg(2), msg(3), msg(4), msg(5)]);
    expect(merged.map((m) => m.sequence)).toEqual([1, 2, 3, 4, 5]);
  });

  it('dedupes within one batch and does not mutate inputs', () => {
    const current = [msg(2)];
    const merged = mergeMessages(current, [msg(1), msg(1)]);
    expect(merged.map((m) => m.sequence)).toEqual([1, 2]);
    expect(current.map((m) => m.sequence)).toEqual([2]);
  });

  it('drops messages without a valid sequence', () => {
    expect(mergeMessages([], [msg(0), msg(Number.NaN), msg(1.5), msg(1)]).map((m) => m.sequence)).toEqual([1]);
  });
});

describe('lastSequence / lastMessage', () => {
  it('returns the highest sequence or 0', () => {
    expect(lastSequence([])).toBe(0);
    expect(lastSequence([msg(2), msg(7), msg(5)])).toBe(7);
    expect(lastMessage([msg(2), msg(7), msg(5)])?.sequence).toBe(7);
    expect(lastMessage([])).toBeNull();
  });
});

describe('contiguousSequence', () => {
  it('is the end of the gap-free prefix', () => {
    expect(contiguousSequence([])).toBe(0);
    expect(contiguousSequence([msg(1), msg(2), msg(3)])).toBe(3);
    expect(contiguousSequence([msg(1), msg(2), msg(5)])).toBe(2);
    expect(contiguousSequence([msg(4)])).toBe(0);
  });
});

describe('pending messages', () => {
  it('removes pending messages confirmed by clientMessageId', () => {
    const pending = [
      { clientMessageId: 'client-2', text: 'a' },
      { clientMessageId: 'other', text: 'b' },
    ];
    expect(withoutConfirmed(pending, [msg(1), msg(2, 'operator')])).toEqual([{ clientMessageId: 'other', text: 'b' }]);
    expect(isConfirmed([msg(2)], 'client-2')).toBe(true);
    expect(isConfirmed([msg(2)], 'nope')).toBe(false);
  });
});

describe('unread', () => {
  it('counts only visitor messages after the seen mark', () => {
    const messages = [msg(1), msg(2, 'operator'), msg(3), msg(4, 'system'), msg(5), msg(6, 'automated')];
    expect(countUnread(messages, 0)).toBe(3);
    expect(countUnread(messages, 3)).toBe(1);
    expect(countUnread(messages, 6)).toBe(0);
    expect(countUnread([], 0)).toBe(0);
  });

  it('marking as seen never goes backwards', () => {
    expect(markSeen([msg(1), msg(4)], 2)).toBe(4);
    expect(markSeen([msg(1)], 9)).toBe(9);
    expect(markSeen([], 0)).toBe(0);
  });
});

describe('chat order and keyboard navigation', () => {
  const chat = (conversationId: string, requestedAt: string, status: 'queued' | 'assigned' | 'ended' = 'assigned') => ({
    conversationId,
    requestedAt,
    status,
  });

  it('puts ended chats last, oldest request first', () => {
    const sorted = sortChats([
      chat('late', '2025-01-01T10:05:00Z'),
      chat('done', '2025-01-01T09:00:00Z', 'ended'),
      chat('early', '2025-01-01T10:00:00Z'),
    ]);
    expect(sorted.map((c) => c.conversationId)).toEqual(['early', 'late', 'done']);
  });

  it('moves up and down, clamped at the ends', () => {
    const ids = ['a', 'b', 'c'];
    expect(neighbourChat(ids, 'b', 1)).toBe('c');
    expect(neighbourChat(ids, 'b', -1)).toBe('a');
    expect(neighbourChat(ids, 'c', 1)).toBe('c');
    expect(neighbourChat(ids, 'a', -1)).toBe('a');
    expect(neighbourChat(ids, null, 1)).toBe('a');
    expect(neighbourChat(ids, null, -1)).toBe('c');
    expect(neighbourChat([], null, 1)).toBeNull();
  });
});
