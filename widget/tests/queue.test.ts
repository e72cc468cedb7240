import { describe, expect, it } from 'vitest';
import { getMessages } from '../src/i18n';
import { formatQueueEstimate, formatQueuePosition, queueWaitMinutes } from '../src/queue';

const en = getMessages('en');
const fr = getMessages('fr');

describe('queue texts', () => {
  it('formats the position with the number', () => {
    expect(formatQueuePosition(en, 3)).toBe('You are number 3 in the queue');
    expect(formatQueuePosition(fr, 3)).toContain('3');
  });

  it('says "a few minutes" without an estimate, never a number', () => {
    expect(formatQueueEstimate(en, null)).toBe('Estimated wait: a few minutes');
    expect(formatQueueEstimate(fr, null)).toBe('Attente estimée : quelques minutes');
    expect(formatQueueEstimate(en, Number.NaN)).toBe('Estimated wait: a few minutes');
  });

  it('rounds the estimate up to whole minutes, at least 1', () => {
    expect(queueWaitMinutes(61)).toBe(2);
    expect(formatQueueEstimate(en, 61)).toBe('Estimated wait: about 2 minutes');
    expect(formatQueueEstimate(en, 240)).toBe('Estimated wait: about 4 minutes');
    expect(formatQueueEstimate(en, 0)).toBe('Estimated wait: about 1 minute');
    expect(formatQueueEstimate(en, 60)).toBe('Estimated wait: about 1 minute');
    expect(formatQueueEstimate(fr, 61)).toBe('Attente estimée : environ 2 minutes');
  });
});
