import { describe, expect, it } from 'vitest';
import { mergePages } from './model';

describe('mergePages', () => {
  it('dedupes by url and time and sorts oldest first', () => {
    const a = { url: 'https://x/a', title: 'A', at: '2025-01-01T10:00:00Z' };
    const b = { url: 'https://x/b', title: 'B', at: '2025-01-01T10:01:00Z' };
    expect(mergePages([b, a], [a, { ...a, at: '2025-01-01T10:02:00Z' }]).map((p) => `${p.url}@${p.at.slice(14, 16)}`)).toEqual([
      'https://x/a@00',
      'https://x/b@01',
      'https://x/a@02',
    ]);
  });
});
