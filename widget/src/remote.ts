// Remote support (screen share, co-browse): server payload guards and the pure
// helpers both the frame and the loader use. Everything from outside is untrusted.

export type RemoteKind = 'screen' | 'cobrowse';
export type RemoteStatus = 'requested' | 'active' | 'declined' | 'cancelled' | 'ended';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface RtcConfig {
  iceServers: IceServer[];
  /** Test hosts: only 127.0.0.1 candidates are signalled, so test media never leaves loopback. */
  loopbackCandidatesOnly: boolean;
}

export interface RemoteSession {
  sessionId: string;
  conversationId: string;
  kind: RemoteKind;
  status: RemoteStatus;
  operatorName: string;
  rtc: RtcConfig;
}

export interface RemoteRelay {
  sessionId: string;
  sequence: number;
  kind: 'signal' | 'cobrowse';
  /** null: too large to push, fetch it with GetRemoteRelayAfter. */
  payload: string | null;
}

export type PointerMode = 'point' | 'highlight' | 'hide';

export interface RemotePointer {
  sessionId: string;
  x: number;
  y: number;
  mode: PointerMode;
  operatorName: string;
}

/** Server limits (docs/contract.md). */
export const MAX_SIGNAL_LENGTH = 16_000;
export const MAX_COBROWSE_PART_LENGTH = 24_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const KINDS: readonly string[] = ['screen', 'cobrowse'];
const STATUSES: readonly string[] = ['requested', 'active', 'declined', 'cancelled', 'ended'];

function toIceServers(value: unknown): IceServer[] {
  if (!Array.isArray(value)) return [];
  const servers: IceServer[] = [];
  for (const item of value) {
    if (!isRecord(item) || !Array.isArray(item.urls)) continue;
    const urls = item.urls.filter((u): u is string => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u));
    if (urls.length === 0) continue;
    const server: IceServer = { urls };
    if (typeof item.username === 'string') server.username = item.username;
    if (typeof item.credential === 'string') server.credential = item.credential;
    servers.push(server);
  }
  return servers;
}

export function toRemoteSession(value: unknown): RemoteSession | null {
  if (!isRecord(value) || typeof value.sessionId !== 'string' || typeof value.conversationId !== 'string') return null;
  if (typeof value.kind !== 'string' || !KINDS.includes(value.kind)) return null;
  if (typeof value.status !== 'string' || !STATUSES.includes(value.status)) return null;
  const rtc = isRecord(value.rtc) ? value.rtc : {};
  return {
    sessionId: value.sessionId,
    conversationId: value.conversationId,
    kind: value.kind as RemoteKind,
    status: value.status as RemoteStatus,
    operatorName: typeof value.operatorName === 'string' ? value.operatorName : '',
    rtc: { iceServers: toIceServers(rtc.iceServers), loopbackCandidatesOnly: rtc.loopbackCandidatesOnly === true },
  };
}

export function toRemoteRelay(value: unknown): RemoteRelay | null {
  if (!isRecord(value) || typeof value.sessionId !== 'string') return null;
  if (typeof value.sequence !== 'number' || !Number.isInteger(value.sequence) || value.sequence < 1) return null;
  if (value.kind !== 'signal' && value.kind !== 'cobrowse') return null;
  return { sessionId: value.sessionId, sequence: value.sequence, kind: value.kind, payload: typeof value.payload === 'string' ? value.payload : null };
}

export function toRemoteRelayList(value: unknown): RemoteRelay[] {
  if (!Array.isArray(value)) return [];
  return value.map(toRemoteRelay).filter((r): r is RemoteRelay => r !== null);
}

function fraction(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
}

export function toPointer(value: unknown): Omit<RemotePointer, 'sessionId' | 'operatorName'> | null {
  if (!isRecord(value)) return null;
  const x = fraction(value.x);
  const y = fraction(value.y);
  const mode = value.mode;
  if (x === null || y === null || (mode !== 'point' && mode !== 'highlight' && mode !== 'hide')) return null;
  return { x, y, mode };
}

export function toRemotePointer(value: unknown): RemotePointer | null {
  const pointer = toPointer(value);
  if (!pointer || !isRecord(value) || typeof value.sessionId !== 'string') return null;
  return { ...pointer, sessionId: value.sessionId, operatorName: typeof value.operatorName === 'string' ? value.operatorName : '' };
}

/** The address of an ICE candidate line ("candidate:… 1 udp 2122260223 127.0.0.1 50000 typ host"), or null. */
export function candidateAddress(candidate: string): string | null {
  const parts = candidate.replace(/^a=/, '').split(' ');
  return parts.length >= 8 ? (parts[4] ?? null) : null;
}

/** With loopbackOnly, only 127.0.0.1 candidates may be signalled (tests); otherwise every candidate. */
export function mayTellCandidate(candidate: string, loopbackOnly: boolean): boolean {
  return !loopbackOnly || candidateAddress(candidate) === '127.0.0.1';
}

/** Removes candidate lines a description must not carry (other interfaces' addresses in tests). */
export function filterSdpCandidates(sdp: string, loopbackOnly: boolean): string {
  if (!loopbackOnly) return sdp;
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || mayTellCandidate(line, true))
    .join('\r\n');
}

/**
 * The hub takes messages of at most 32 KB: a part's JSON-escaped UTF-8 size stays under this, whatever
 * the text holds (quotes and backslashes double, non-ASCII letters take up to 3 bytes).
 */
export const MAX_PART_BYTES = 28_000;

const encoder = new TextEncoder();

/**
 * Splits text into parts of at most `size` characters and `maxBytes` bytes once JSON-escaped (at least one
 * part), never between the two halves of a surrogate pair.
 */
export function splitParts(text: string, size: number = MAX_COBROWSE_PART_LENGTH, maxBytes: number = MAX_PART_BYTES): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length || parts.length === 0) {
    let end = Math.min(text.length, start + size);
    while (end - start > 1 && encoder.encode(JSON.stringify(text.slice(start, end))).length > maxBytes) {
      end = start + Math.ceil((end - start) / 2);
    }
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/** Runs tasks one after another (relay items must be applied in sequence order). */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run(task: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(task).catch(() => undefined);
    return this.tail;
  }
}

/**
 * Relay items of one session in sequence order, each applied once: pushes may carry the payload or
 * not (too large), and a reconnect fetches what was missed; both paths go through here.
 */
export class RelayCursor {
  lastSequence = 0;

  constructor(readonly sessionId: string) {}

  /** The items not seen yet, in order; advances past them. */
  accept(items: readonly RemoteRelay[]): RemoteRelay[] {
    const fresh = items
      .filter((i) => i.sessionId === this.sessionId && i.sequence > this.lastSequence && i.payload !== null)
      .sort((a, b) => a.sequence - b.sequence);
    const out: RemoteRelay[] = [];
    for (const item of fresh) {
      if (item.sequence <= this.lastSequence) continue;
      this.lastSequence = item.sequence;
      out.push(item);
    }
    return out;
  }
}
