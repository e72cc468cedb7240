import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_THROTTLE_MS, TypingThrottle } from '../src/typing';

describe('TypingThrottle', () => {
  let sent: string[];
  let throttle: TypingThrottle;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    throttle = new TypingThrottle((d) => sent.push(d));
  });
  afterEach(() => vi.useRealTimers());

  it('sends at most once per interval, with a trailing call carrying the latest draft', () => {
    expect(TYPING_THROTTLE_MS).toBe(300);
    throttle.update('a');
    throttle.update('ab');
    throttle.update('abc');
    expect(sent).toEqual(['a']);
    vi.advanceTimersByTime(299);
    expect(sent).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['a', 'abc']);
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(['a', 'abc']);
    throttle.update('abcd'); // long after: at once
    expect(sent).toEqual(['a', 'abc', 'abcd']);
  });

  it('skips unchanged drafts, sends "" once when cleared, and "" on demand (force)', () => {
    throttle.update('a');
    vi.advanceTimersByTime(400);
    throttle.update('a');
    expect(sent).toEqual(['a']);
    throttle.update('ab');
    throttle.update('   '); // blank = cleared, drops the trailing call
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual(['a', 'ab', '']);
    throttle.clear();
    expect(sent).toEqual(['a', 'ab', '']); // nothing typed since
    throttle.clear(true);
    expect(sent).toEqual(['a', 'ab', '', '']);
  });

  it('reset drops pending calls without sending', () => {
    throttle.update('a');
    throttle.update('ab');
    throttle.reset();
    vi.advanceTimersByTime(1000);
    throttle.clear();
    expect(sent).toEqual(['a']);
  });
});
