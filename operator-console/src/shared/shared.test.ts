import { describe, expect, it } from 'vitest';
import { hubErrorMessage } from './hub';
import { readCookie } from './http';
import { formatTitle } from './titleCounter';
import { newUuid } from './uuid';

describe('readCookie', () => {
  it('finds and decodes a cookie', () => {
    expect(readCookie('a=1; XSRF-TOKEN=abc%2Bdef; b=2', 'XSRF-TOKEN')).toBe('abc+def');
    expect(readCookie('XSRF-TOKEN=x', 'XSRF-TOKEN')).toBe('x');
  });
  it('returns null when missing and does not match prefixes', () => {
    expect(readCookie('', 'XSRF-TOKEN')).toBeNull();
    expect(readCookie('MY-XSRF-TOKEN=1', 'XSRF-TOKEN')).toBeNull();
  });
  it('keeps values containing "="', () => {
    expect(readCookie('XSRF-TOKEN=CfDJ8==', 'XSRF-TOKEN')).toBe('CfDJ8==');
  });
});

describe('hubErrorMessage', () => {
  it('extracts the HubException text', () => {
    const error = new Error("An unexpected error occurred invoking 'SendMessage' on the server. HubException: Chat has ended.");
    expect(hubErrorMessage(error)).toBe('Chat has ended.');
  });
  it('returns null for other errors', () => {
    expect(hubErrorMessage(new Error("Cannot send data if the connection is not in the 'Connected' State."))).toBeNull();
    expect(hubErrorMessage(undefined)).toBeNull();
  });
});

describe('formatTitle', () => {
  it('prefixes a positive count', () => {
    expect(formatTitle('ChatDesk', 0)).toBe('ChatDesk');
    expect(formatTitle('ChatDesk', 3)).toBe('(3) ChatDesk');
  });
});

describe('newUuid', () => {
  it('falls back to a v4 uuid without randomUUID', () => {
    const id = newUuid({ getRandomValues: <T extends ArrayBufferView | null>(a: T) => a });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
