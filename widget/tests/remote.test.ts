// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { isSensitiveField, maskValue } from '../src/cobrowse/recorder';
import { parseFrameToLoader, parseLoaderToFrame } from '../src/protocol';
import {
  candidateAddress, filterSdpCandidates, mayTellCandidate, RelayCursor, splitParts, toRemotePointer, toRemoteRelay, toRemoteSession,
} from '../src/remote';

const loopback = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0';
const lan = 'candidate:2 1 udp 2122194687 192.168.1.20 50001 typ host generation 0';

describe('loopback-only candidates (test hosts)', () => {
  it('tells only 127.0.0.1 candidates when asked to, every candidate otherwise', () => {
    expect(candidateAddress(loopback)).toBe('127.0.0.1');
    expect(mayTellCandidate(loopback, true)).toBe(true);
    expect(mayTellCandidate(lan, true)).toBe(false);
    expect(mayTellCandidate('candidate:3 1 udp 1 abcd.local 1 typ host', true)).toBe(false);
    expect(mayTellCandidate(lan, false)).toBe(true);
  });

  it('strips other interfaces from a description', () => {
    const sdp = ['v=0', `a=${loopback}`, `a=${lan}`, 'a=end-of-candidates'].join('\r\n');
    expect(filterSdpCandidates(sdp, true)).toBe(['v=0', `a=${loopback}`, 'a=end-of-candidates'].join('\r\n'));
    expect(filterSdpCandidates(sdp, false)).toBe(sdp);
  });
});

describe('relay ordering', () => {
  it('applies each item once, in sequence order, skipping payloads still to fetch', () => {
    const cursor = new RelayCursor('s');
    const item = (sequence: number, payload: string | null = `p${sequence}`) => ({ sessionId: 's', sequence, kind: 'signal' as const, payload });
    expect(cursor.accept([item(2), item(1)]).map((i) => i.sequence)).toEqual([1, 2]);
    expect(cursor.accept([item(2), item(3, null)])).toEqual([]);
    expect(cursor.accept([item(3), { ...item(4), sessionId: 'other' }]).map((i) => i.sequence)).toEqual([3]);
    expect(cursor.lastSequence).toBe(3);
  });

  it('splits a large batch into hub-sized parts that join back to the same text', () => {
    const text = 'x'.repeat(50_001);
    const parts = splitParts(text);
    expect(parts.map((p) => p.length)).toEqual([24_000, 24_000, 2_001]);
    expect(parts.join('')).toBe(text);
    expect(splitParts('[]')).toEqual(['[]']);
    expect(splitParts('')).toEqual(['']);
  });

  it('keeps every part under the hub message size once escaped, and surrogate pairs whole', () => {
    const quoted = '"é\\'.repeat(9_000);
    const parts = splitParts(quoted);
    expect(parts.join('')).toBe(quoted);
    for (const part of parts) expect(new TextEncoder().encode(JSON.stringify(part)).length).toBeLessThanOrEqual(28_000);
    const emoji = `a${'😀'.repeat(20)}`;
    const small = splitParts(emoji, 4);
    expect(small.join('')).toBe(emoji);
    expect(small.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });
});

describe('remote payload guards', () => {
  it('keeps only known kinds, statuses and ICE server URLs', () => {
    const session = toRemoteSession({
      sessionId: 's', conversationId: 'c', kind: 'screen', status: 'requested', operatorName: 'Alice',
      rtc: { iceServers: [{ urls: ['turn:turn.example.com:3478', 'javascript:alert(1)'], username: 'u', credential: 'p' }, { urls: [] }], loopbackCandidatesOnly: true },
    });
    expect(session?.rtc).toEqual({ iceServers: [{ urls: ['turn:turn.example.com:3478'], username: 'u', credential: 'p' }], loopbackCandidatesOnly: true });
    expect(toRemoteSession({ sessionId: 's', conversationId: 'c', kind: 'keyboard', status: 'requested' })).toBeNull();
    expect(toRemoteSession({ sessionId: 's', conversationId: 'c', kind: 'screen', status: 'hacked' })).toBeNull();
    expect(toRemoteRelay({ sessionId: 's', sequence: 0, kind: 'signal', payload: '{}' })).toBeNull();
    expect(toRemoteRelay({ sessionId: 's', sequence: 2, kind: 'cobrowse' })).toEqual({ sessionId: 's', sequence: 2, kind: 'cobrowse', payload: null });
    expect(toRemotePointer({ sessionId: 's', x: 1.2, y: 0, mode: 'point' })).toBeNull();
    expect(toRemotePointer({ sessionId: 's', x: 0.5, y: 0.25, mode: 'highlight', operatorName: 'Alice' }))
      .toEqual({ sessionId: 's', x: 0.5, y: 0.25, mode: 'highlight', operatorName: 'Alice' });
  });

  it('checks the loader <-> frame remote messages', () => {
    expect(parseFrameToLoader({ type: 'chatdesk:remote', state: 'cobrowse', operatorName: 'Alice' })).toEqual({ type: 'chatdesk:remote', state: 'cobrowse', operatorName: 'Alice' });
    expect(parseFrameToLoader({ type: 'chatdesk:remote', state: 'everything', operatorName: 'Alice' })).toBeNull();
    expect(parseFrameToLoader({ type: 'chatdesk:remote-pointer', x: 2, y: 0, mode: 'point', operatorName: 'A' })).toBeNull();
    expect(parseLoaderToFrame({ type: 'chatdesk:remote-stop' })).toEqual({ type: 'chatdesk:remote-stop' });
    expect(parseLoaderToFrame({ type: 'chatdesk:cobrowse-events', data: '' })).toBeNull();
    expect(parseLoaderToFrame({ type: 'chatdesk:cobrowse-events', data: '[{"type":3}]' })).toEqual({ type: 'chatdesk:cobrowse-events', data: '[{"type":3}]' });
  });
});

describe('co-browse masking', () => {
  it('masks passwords, payment fields and site-marked fields, nothing else', () => {
    const page = new DOMParser().parseFromString(`
      <input id="order"><input id="pw" type="password"><input id="card" autocomplete="cc-number">
      <input id="exp" autocomplete="billing cc-exp"><input id="marked" data-chatdesk-mask>
      <div class="chatdesk-mask"><input id="inside"></div><textarea id="notes"></textarea>`, 'text/html');
    document.body.replaceChildren(...page.body.childNodes);
    const byId = (id: string) => document.getElementById(id) as HTMLElement;
    expect(['order', 'pw', 'card', 'exp', 'marked', 'inside', 'notes'].map((id) => isSensitiveField(byId(id))))
      .toEqual([false, true, true, true, true, true, false]);
    expect(maskValue('hunter2', byId('pw'))).toBe('*******');
    expect(maskValue('ORDER-1', byId('order'))).toBe('ORDER-1');
  });
});
