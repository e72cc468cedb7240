import { describe, expect, it } from 'vitest';
import { MessageStore } from '../src/messageStore';
import type { AuthorKind, MessageDto } from '../src/protocol';

const CONV = '11111111-1111-4111-8111-111111111111';

function dto(sequence: number, overrides: Partial<MessageDto> = {}): MessageDto {
  return {
    conversationId: CONV,
    sequence,
    clientMessageId: `cid-${sequence}`,
    authorKind: 'operator' as AuthorKind,
    authorName: 'Alice',
    text: `message ${sequence}`,
    sentAt: `2025-01-01T10:00:0${sequence % 10}Z`,
    file: null,
    ...overrides,
  };
}

describe('MessageStore', () => {
  it('orders messages by sequence whatever the arrival order', () => {
    const store = new MessageStore(CONV);
    store.merge([dto(3), dto(1)]);
    store.merge([dto(2)]);
    expect(store.list().map((m) => m.sequence)).toEqual([1, 2, 3]);
    expect(store.lastSequence).toBe(3);
  });

  it('ignores a sequence that was already shown', () => {
    const store = new MessageStore(CONV);
    expect(store.merge([dto(1), dto(2)])).toHaveLength(2);
    const added = store.merge([dto(2, { text: 'changed' }), dto(3)]);
    expect(added.map((m) => m.sequence)).toEqual([3]);
    const list = store.list();
    expect(list).toHaveLength(3);
    expect(list[1]?.text).toBe('message 2');
  });

  it('dedupes duplicates inside one batch', () => {
    const store = new MessageStore(CONV);
    store.merge([dto(1), dto(1), dto(2)]);
    expect(store.list().map((m) => m.sequence)).toEqual([1, 2]);
  });

  it('keeps the highest sequence seen for resume', () => {
    const store = new MessageStore(CONV);
    expect(store.lastSequence).toBe(0);
    store.merge([dto(5)]);
    store.merge([dto(2)]);
    expect(store.lastSequence).toBe(5);
  });

  it('ignores messages of other conversations and invalid sequences', () => {
    const store = new MessageStore(CONV);
    store.merge([dto(1, { conversationId: 'other' }), dto(0), dto(1.5), dto(2)]);
    expect(store.list().map((m) => m.sequence)).toEqual([2]);
  });

  it('shows pending messages after confirmed ones, in writing order', () => {
    const store = new MessageStore(CONV);
    store.merge([dto(1)]);
    store.addPending('p1', 'first');
    store.addPending('p2', 'second');
    const list = store.list();
    expect(list.map((m) => m.text)).toEqual(['message 1', 'first', 'second']);
    expect(list[1]).toMatchObject({ sequence: null, state: 'sending', authorKind: 'visitor' });
  });

  it('replaces a pending message by the server DTO with the same clientMessageId', () => {
    const store = new MessageStore(CONV);
    store.addPending('p1', 'hello');
    const pendingKey = store.list()[0]?.key;
    store.merge([dto(1, { clientMessageId: 'p1', authorKind: 'visitor', text: 'hello' })]);
    const list = store.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ sequence: 1, state: 'sent', text: 'hello', key: pendingKey });
  });

  it('handles the echo arriving before the SendMessage result (no duplicate)', () => {
    const store = new MessageStore(CONV);
    store.addPending('p1', 'hello');
    const echo = dto(4, { clientMessageId: 'p1', authorKind: 'visitor', text: 'hello' });
    store.merge([echo]); // MessageReceived
    expect(store.merge([echo])).toEqual([]); // SendMessage result
    store.addPending('p1', 'hello'); // a late re-add must not resurrect it
    expect(store.list()).toHaveLength(1);
    expect(store.isConfirmed('p1')).toBe(true);
  });

  it('keeps the text of a failed message and allows retry with the same id', () => {
    const store = new MessageStore(CONV);
    store.addPending('p1', 'keep me');
    store.markFailed('p1', 'boom');
    expect(store.list()[0]).toMatchObject({ state: 'failed', error: 'boom', text: 'keep me', clientMessageId: 'p1' });
    expect(store.markSending('p1')).toBe(true);
    expect(store.getPendingText('p1')).toBe('keep me');
    expect(store.list()[0]).toMatchObject({ state: 'sending', error: null });
    store.merge([dto(1, { clientMessageId: 'p1', authorKind: 'visitor', text: 'keep me' })]);
    expect(store.markSending('p1')).toBe(false);
    expect(store.list()).toHaveLength(1);
  });

  it('gives unique keys even if the server repeats a clientMessageId', () => {
    const store = new MessageStore(CONV);
    store.merge([dto(1, { clientMessageId: 'same' }), dto(2, { clientMessageId: 'same' })]);
    const keys = store.list().map((m) => m.key);
    expect(new Set(keys).size).toBe(2);
  });

  it('supports the resume flow: missed messages merged after reconnect', () => {
    const store = new MessageStore(CONV);
    store.merge([dto(1), dto(2)]);
    const after = store.lastSequence;
    // Server answers GetMessagesAfter(2) while a live message 4 already arrived.
    store.merge([dto(4)]);
    store.merge([dto(3), dto(4)].filter((m) => m.sequence > after));
    expect(store.list().map((m) => m.sequence)).toEqual([1, 2, 3, 4]);
  });
});
