/** The answer token being typed: '#' or '/' at the start of a word, up to the caret. */
export interface AnswerToken {
  /** Index of the '#' or '/'. */
  start: number;
  /** End of the word (the caret, or further when the caret is inside the word). */
  end: number;
  /** The text after the prefix, up to the caret (what SuggestAnswers gets). */
  query: string;
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

export function findAnswerToken(text: string, caret: number): AnswerToken | null {
  if (caret < 0 || caret > text.length) return null;
  let start = caret;
  while (start > 0 && !isSpace(text[start - 1])) start -= 1;
  const prefix = text[start];
  if (prefix !== '#' && prefix !== '/') return null;
  if (start >= caret) return null;
  const query = text.slice(start + 1, caret);
  // A second '#' or '/' inside the word (e.g. a URL "a/b") is not an answer shortcut.
  if (/[#/]/.test(query)) return null;
  let end = caret;
  while (end < text.length && !isSpace(text[end])) end += 1;
  return { start, end, query };
}

/** Replaces the token by the answer text; returns the new value and the caret after the insertion. */
export function insertAnswer(text: string, token: AnswerToken, answer: string): { value: string; caret: number } {
  const value = text.slice(0, token.start) + answer + text.slice(token.end);
  return { value, caret: token.start + answer.length };
}
