import { describe, expect, it } from 'vitest';
import { parseFrameToLoader, parseLoaderToFrame, toConversationView, toMessageDto } from '../src/protocol';

describe('protocol guards', () => {
  it('accepts only known chatdesk: messages', () => {
    expect(parseFrameToLoader({ type: 'chatdesk:unread', count: 2 })).toEqual({ type: 'chatdesk:unread', count: 2 });
    expect(parseFrameToLoader({ type: 'chatdesk:unread', count: '2' })).toBeNull();
    expect(parseFrameToLoader({ type: 'chatdesk:conversation', open: true })).toEqual({ type: 'chatdesk:conversation', open: true });
    expect(parseFrameToLoader({ type: 'other' })).toBeNull();
    expect(parseFrameToLoader('chatdesk:ready')).toBeNull();
    expect(parseLoaderToFrame({ type: 'chatdesk:page', url: 'https://a.test/', title: 'A' })).toEqual({
      type: 'chatdesk:page', url: 'https://a.test/', title: 'A',
    });
    expect(parseLoaderToFrame({ type: 'chatdesk:page', url: 1 })).toBeNull();
  });

  it('validates server messages', () => {
    expect(toMessageDto({ conversationId: 'c', sequence: 0, text: 'x' })).toBeNull();
    expect(toMessageDto({ conversationId: 'c', sequence: 1, text: 'x', authorKind: 'evil' })?.authorKind).toBe('system');
    const view = toConversationView({
      conversationId: 'c', status: 'assigned', operatorName: 'Bob', endedBy: null,
      messages: [{ conversationId: 'c', sequence: 1, clientMessageId: 'a', authorKind: 'visitor', authorName: null, text: 'hi', sentAt: 'x' }, null],
    });
    expect(view?.status).toBe('assigned');
    expect(view?.messages).toHaveLength(1);
  });
});
