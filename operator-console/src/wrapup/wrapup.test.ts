import { describe, expect, it } from 'vitest';
import { parseTags, wrapUpRequest } from './model';

describe('wrap-up payload', () => {
  it('parses comma separated tags', () => {
    expect(parseTags(' a, b ,,A, c ')).toEqual(['a', 'b', 'c']);
    expect(parseTags('')).toEqual([]);
  });
  it('leaves out empty notes and tags', () => {
    expect(wrapUpRequest('resolved', '  ', ' , ')).toEqual({ disposition: 'resolved' });
    expect(wrapUpRequest('unresolved', ' n ', 'x')).toEqual({ disposition: 'unresolved', notes: 'n', tags: ['x'] });
  });
});
