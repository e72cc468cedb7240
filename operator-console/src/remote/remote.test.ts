import { describe, expect, it } from 'vitest';
import { mayUseCandidate, PartJoiner, pointInPicture, RelayCursor, toRemoteSession } from './protocol';

describe('remote protocol (operator side)', () => {
  it('maps a point over a letterboxed picture to fractions of the picture', () => {
    // A 1600x900 picture in a 800x600 box: drawn 800x450, 75 px bars above and below.
    expect(pointInPicture(400, 300, { width: 800, height: 600 }, { width: 1600, height: 900 })).toEqual({ x: 0.5, y: 0.5 });
    expect(pointInPicture(0, 75, { width: 800, height: 600 }, { width: 1600, height: 900 })).toEqual({ x: 0, y: 0 });
    expect(pointInPicture(400, 50, { width: 800, height: 600 }, { width: 1600, height: 900 })).toBeNull();
    expect(pointInPicture(1, 1, { width: 800, height: 600 }, { width: 0, height: 0 })).toBeNull();
  });

  it('joins co-browse parts into whole batches', () => {
    const joiner = new PartJoiner();
    expect(joiner.push('0[{"a"')).toBeNull();
    expect(joiner.push('1:1}]')).toBe('[{"a":1}]');
    expect(joiner.push('1[]')).toBe('[]');
  });

  it('applies relay items once and in order; uses only loopback candidates when told', () => {
    const cursor = new RelayCursor('s');
    const item = (sequence: number) => ({ sessionId: 's', sequence, kind: 'cobrowse' as const, payload: 'x' });
    expect(cursor.accept([item(3), item(1)]).map((i) => i.sequence)).toEqual([1, 3]);
    expect(cursor.accept([item(2), item(3)])).toEqual([]);
    expect(mayUseCandidate('candidate:1 1 udp 1 127.0.0.1 5000 typ host', true)).toBe(true);
    expect(mayUseCandidate('candidate:1 1 udp 1 10.0.0.7 5000 typ host', true)).toBe(false);
    expect(toRemoteSession({ sessionId: 's', conversationId: 'c', kind: 'cobrowse', status: 'nope' })).toBeNull();
  });
});
