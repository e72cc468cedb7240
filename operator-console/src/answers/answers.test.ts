import { describe, expect, it } from 'vitest';
import { normalizeShortcut } from './api';
import { findAnswerToken, insertAnswer } from './token';

describe('findAnswerToken', () => {
  it("finds '#' or '/' at the start of a word up to the caret", () => {
    expect(findAnswerToken('#ref', 4)).toEqual({ start: 0, end: 4, query: 'ref' });
    expect(findAnswerToken('Hello /ref', 10)).toEqual({ start: 6, end: 10, query: 'ref' });
    expect(findAnswerToken('Hi\n#', 4)).toEqual({ start: 3, end: 4, query: '' });
    expect(findAnswerToken('a #refund b', 6)).toEqual({ start: 2, end: 9, query: 'ref' });
  });
  it('ignores words that only contain the prefix, and URLs', () => {
    expect(findAnswerToken('a#ref', 5)).toBeNull();
    expect(findAnswerToken('/a/b', 4)).toBeNull();
    expect(findAnswerToken('#ref done', 9)).toBeNull();
    expect(findAnswerToken('', 0)).toBeNull();
  });
});

describe('insertAnswer', () => {
  it('replaces the whole token and puts the caret after the text', () => {
    const token = findAnswerToken('Hi #refund-x there', 7)!;
    expect(insertAnswer('Hi #refund-x there', token, 'ANSWER')).toEqual({ value: 'Hi ANSWER there', caret: 9 });
  });
});

describe('normalizeShortcut', () => {
  it('lower-cases and prefixes #', () => {
    expect(normalizeShortcut(' Refund ')).toBe('#refund');
    expect(normalizeShortcut('#Refund Status')).toBe('#refund-status');
    expect(normalizeShortcut('/ref')).toBe('#ref');
    expect(normalizeShortcut('  ')).toBe('');
  });
});
