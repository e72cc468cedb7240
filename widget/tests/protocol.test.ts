import { describe, expect, it } from 'vitest';
import {
  offersOfflineMessage, parseFrameToLoader, parseLoaderToFrame, toConversationView, toMessageDto, toOperatorTyping,
  toQueueUpdated, toSessionResponse, toTranscript,
} from '../src/protocol';

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

  it('validates the visitor token messages', () => {
    const token = 'eyJWIjoiMSJ9.c2ln_-';
    expect(parseLoaderToFrame({ type: 'chatdesk:token', token })).toEqual({ type: 'chatdesk:token', token });
    expect(parseLoaderToFrame({ type: 'chatdesk:token', token: null })).toEqual({ type: 'chatdesk:token', token: null });
    expect(parseFrameToLoader({ type: 'chatdesk:token-save', token })).toEqual({ type: 'chatdesk:token-save', token });
    expect(parseFrameToLoader({ type: 'chatdesk:token-save', token: null })).toEqual({ type: 'chatdesk:token-save', token: null });
    const long = `${'a'.repeat(4000)}.${'b'.repeat(95)}`; // 4096 chars
    expect(parseLoaderToFrame({ type: 'chatdesk:token', token: long })).toEqual({ type: 'chatdesk:token', token: long });
    for (const bad of [undefined, 1, '', 'abc', 'a.b.c', '.b', 'a.', 'a b.c', 'a.b\n', '<x>.y', `${long}c`, {}]) {
      expect(parseLoaderToFrame({ type: 'chatdesk:token', token: bad })).toBeNull();
      expect(parseFrameToLoader({ type: 'chatdesk:token-save', token: bad })).toBeNull();
    }
    expect(parseLoaderToFrame({ type: 'chatdesk:token' })).toBeNull();
    // Each direction only accepts its own message.
    expect(parseFrameToLoader({ type: 'chatdesk:token', token })).toBeNull();
    expect(parseLoaderToFrame({ type: 'chatdesk:token-save', token })).toBeNull();
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

  it('reads the survey (unknown questions dropped, missing or odd = no survey)', () => {
    const base = { conversationId: 'c', status: 'ended', operatorName: 'Bob', endedBy: 'operator', messages: [] };
    expect(toConversationView({ ...base, survey: { questions: ['nps', 'x', 'csat', 'nps', 3], submitted: true } })?.survey)
      .toEqual({ questions: ['nps', 'csat'], submitted: true });
    expect(toConversationView(base)?.survey).toEqual({ questions: [], submitted: false });
    expect(toConversationView({ ...base, survey: { questions: 'csat', submitted: 'yes' } })?.survey).toEqual({ questions: [], submitted: false });
  });

  it('reads endedReason (missing -> null)', () => {
    const base = { conversationId: 'c', status: 'ended', operatorName: null, endedBy: 'system', messages: [] };
    expect(toConversationView({ ...base, endedReason: 'no_operator' })?.endedReason).toBe('no_operator');
    expect(toConversationView(base)?.endedReason).toBeNull();
    expect(toConversationView({ ...base, endedReason: 5 })?.endedReason).toBeNull();
  });

  it('offers the offline-message form for no_operator and outside_hours only', () => {
    expect(offersOfflineMessage('no_operator')).toBe(true);
    expect(offersOfflineMessage('outside_hours')).toBe(true);
    expect(offersOfflineMessage('visitor_left')).toBe(false);
    expect(offersOfflineMessage(null)).toBe(false);
  });

  it('validates QueueUpdated', () => {
    expect(toQueueUpdated({ conversationId: 'c', position: 3, estimatedWaitSeconds: 240 })).toEqual({
      conversationId: 'c', position: 3, estimatedWaitSeconds: 240,
    });
    expect(toQueueUpdated({ conversationId: 'c', position: 1, estimatedWaitSeconds: null })).toEqual({
      conversationId: 'c', position: 1, estimatedWaitSeconds: null,
    });
    // A missing or bogus estimate is "unknown", never a made-up number.
    for (const estimate of [undefined, '240', -5, Number.NaN, Number.POSITIVE_INFINITY, {}]) {
      expect(toQueueUpdated({ conversationId: 'c', position: 2, estimatedWaitSeconds: estimate })?.estimatedWaitSeconds).toBeNull();
    }
    for (const bad of [
      null, 'x', {}, { position: 1 }, { conversationId: 1, position: 1 },
      { conversationId: 'c' }, { conversationId: 'c', position: 0 }, { conversationId: 'c', position: -1 },
      { conversationId: 'c', position: 1.5 }, { conversationId: 'c', position: '2' }, { conversationId: 'c', position: Number.NaN },
    ]) {
      expect(toQueueUpdated(bad)).toBeNull();
    }
  });

  it('reads typingPreview from the session site and ConversationView (missing = false)', () => {
    const site = { key: 'demo', name: 'Demo', topics: [] };
    expect(toSessionResponse({ visitorToken: 't', visitorId: 'v', site: { ...site, typingPreview: true } })?.site.typingPreview).toBe(true);
    expect(toSessionResponse({ visitorToken: 't', visitorId: 'v', site })?.site.typingPreview).toBe(false);
    expect(toSessionResponse({ visitorToken: 't', visitorId: 'v', site: { ...site, typingPreview: 'yes' } })?.site.typingPreview).toBe(false);
    const view = { conversationId: 'c', status: 'assigned', operatorName: 'Bob', endedBy: null, messages: [] };
    expect(toConversationView({ ...view, typingPreview: true })?.typingPreview).toBe(true);
    expect(toConversationView(view)?.typingPreview).toBe(false);
  });

  it('reads closed and languages from the session site (older servers: open, both languages)', () => {
    const site = { key: 'demo', name: 'Demo', topics: [] };
    const read = (extra: object) => toSessionResponse({ visitorToken: 't', visitorId: 'v', site: { ...site, ...extra } })?.site;
    expect(read({})).toMatchObject({ closed: false, languages: ['en', 'fr'] });
    expect(read({ closed: true, languages: ['fr'] })).toMatchObject({ closed: true, languages: ['fr'] });
    expect(read({ closed: 'true' })?.closed).toBe(false);
    expect(read({ languages: ['fr', 'en'] })?.languages).toEqual(['fr', 'en']);
    expect(read({ languages: [] })?.languages).toEqual(['en', 'fr']);
    expect(read({ languages: 'fr' })?.languages).toEqual(['en', 'fr']);
    expect(read({ languages: ['de', 'FR', 'fr', 'fr', 1] })?.languages).toEqual(['fr']);
    expect(read({ languages: ['de'] })?.languages).toEqual(['en', 'fr']);
  });

  it('validates OperatorTyping and GetTranscript, making the file name safe', () => {
    expect(toOperatorTyping({ conversationId: 'c', operatorName: 'Alice' })).toEqual({ conversationId: 'c', operatorName: 'Alice' });
    expect(toOperatorTyping({ conversationId: 'c' })).toEqual({ conversationId: 'c', operatorName: null });
    expect(toOperatorTyping({ operatorName: 'Alice' })).toBeNull();
    expect(toTranscript({ fileName: 'chat-1.txt', text: 'hi' })).toEqual({ fileName: 'chat-1.txt', text: 'hi' });
    expect(toTranscript({ fileName: '../../etc/passwd', text: '' })?.fileName).toBe('_.._etc_passwd.txt');
    expect(toTranscript({ fileName: 'a\nb:c', text: '' })?.fileName).toBe('a_b_c.txt');
    expect(toTranscript({ text: 'x' })?.fileName).toBe('chat-transcript.txt');
    expect(toTranscript({ fileName: '...', text: 'x' })?.fileName).toBe('chat-transcript.txt');
    expect(toTranscript({ fileName: 'x'.repeat(300), text: 'x' })?.fileName).toHaveLength(120);
    expect(toTranscript({ fileName: 'a.txt' })).toBeNull();
  });
});
