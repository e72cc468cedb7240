// Remote support payloads from the server (docs/contract.md), checked before use, and the pure
// helpers of the operator side: relay ordering, co-browse part joining, the loopback candidate filter.

export type RemoteKind = 'screen' | 'cobrowse';
export type RemoteStatus = 'requested' | 'active' | 'declined' | 'cancelled' | 'ended';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface RemoteSession {
  sessionId: string;
  conversationId: string;
  kind: RemoteKind;
  status: RemoteStatus;
  operatorId: string;
  operatorName: string;
  startedAt: string | null;
  rtc: { iceServers: IceServer[]; loopbackCandidatesOnly: boolean };
}

export interface RemoteRelay {
  sessionId: string;
  sequence: number;
  kind: 'signal' | 'cobrowse';
  /** null: too large to push, fetch it with GetRemoteRelayAfter. */
  payload: string | null;
}

export const MAX_SIGNAL_LENGTH = 16_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const KINDS: readonly string[] = ['screen', 'cobrowse'];
const STATUSES: readonly string[] = ['requested', 'active', 'declined', 'cancelled', 'ended'];

export function isLive(session: RemoteSession | null | undefined): boolean {
  return session?.status === 'requested' || session?.status === 'active';
}

export function toRemoteSession(value: unknown): RemoteSession | null {
  if (!isRecord(value) || typeof value.sessionId !== 'string' || typeof value.conversationId !== 'string') return null;
  if (typeof value.kind !== 'string' || !KINDS.includes(value.kind)) return null;
  if (typeof value.status !== 'string' || !STATUSES.includes(value.status)) return null;
  const rtc = isRecord(value.rtc) ? value.rtc : {};
  const iceServers: IceServer[] = [];
  for (const item of Array.isArray(rtc.iceServers) ? rtc.iceServers : []) {
    if (!isRecord(item) || !Array.isArray(item.urls)) continue;
    const urls = item.urls.filter((u): u is string => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u));
    if (urls.length === 0) continue;
    const server: IceServer = { urls };
    if (typeof item.username === 'string') server.username = item.username;
    if (typeof item.credential === 'string') server.credential = item.credential;
    iceServers.push(server);
  }
  return {
    sessionId: value.sessionId,
    conversationId: value.conversationId,
    kind: value.kind as RemoteKind,
    status: value.status as RemoteStatus,
    operatorId: typeof value.operatorId === 'string' ? value.operatorId : '',
    operatorName: typeof value.operatorName === 'string' ? value.operatorName : '',
    startedAt: typeof value.startedAt === 'string' ? value.startedAt : null,
    rtc: { iceServers, loopbackCandidatesOnly: rtc.loopbackCandidatesOnly === true },
  };
}

export function toRemoteRelay(value: unknown): RemoteRelay | null {
  if (!isRecord(value) || typeof value.sessionId !== 'string') return null;
  if (typeof value.sequence !== 'number' || !Number.isInteger(value.sequence) || value.sequence < 1) return null;
  if (value.kind !== 'signal' && value.kind !== 'cobrowse') return null;
  return { sessionId: value.sessionId, sequence: value.sequence, kind: value.kind, payload: typeof value.payload === 'string' ? value.payload : null };
}

export function toRemoteRelayList(value: unknown): RemoteRelay[] {
  return Array.isArray(value) ? value.map(toRemoteRelay).filter((r): r is RemoteRelay => r !== null) : [];
}

/** With loopbackOnly (test hosts), only 127.0.0.1 candidates are used or told; otherwise all. */
export function mayUseCandidate(candidate: string, loopbackOnly: boolean): boolean {
  if (!loopbackOnly) return true;
  const parts = candidate.replace(/^a=/, '').split(' ');
  return parts.length >= 8 && parts[4] === '127.0.0.1';
}

export function filterSdpCandidates(sdp: string, loopbackOnly: boolean): string {
  if (!loopbackOnly) return sdp;
  return sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:') || mayUseCandidate(line, true)).join('\r\n');
}

/** Relay items of one session applied once each, in sequence order (pushed inline, or fetched). */
export class RelayCursor {
  lastSequence = 0;

  constructor(readonly sessionId: string) {}

  accept(items: readonly RemoteRelay[]): RemoteRelay[] {
    const out: RemoteRelay[] = [];
    for (const item of [...items].sort((a, b) => a.sequence - b.sequence)) {
      if (item.sessionId !== this.sessionId || item.sequence <= this.lastSequence || item.payload === null) continue;
      this.lastSequence = item.sequence;
      out.push(item);
    }
    return out;
  }
}

/** Co-browse parts start with "1" (last part of a batch) or "0"; returns a batch's text once complete. */
export class PartJoiner {
  private pending = '';

  push(payload: string): string | null {
    this.pending += payload.slice(1);
    if (!payload.startsWith('1')) return null;
    const batch = this.pending;
    this.pending = '';
    return batch;
  }
}

/** Runs tasks one after another. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run(task: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(task).catch(() => undefined);
    return this.tail;
  }
}

/** Where a point of the element falls in the picture drawn with object-fit: contain, as fractions (null outside). */
export function pointInPicture(
  x: number, y: number, box: { width: number; height: number }, picture: { width: number; height: number },
): { x: number; y: number } | null {
  if (box.width <= 0 || box.height <= 0 || picture.width <= 0 || picture.height <= 0) return null;
  const scale = Math.min(box.width / picture.width, box.height / picture.height);
  const width = picture.width * scale;
  const height = picture.height * scale;
  const left = (box.width - width) / 2;
  const top = (box.height - height) / 2;
  const fx = (x - left) / width;
  const fy = (y - top) / height;
  return fx < 0 || fx > 1 || fy < 0 || fy > 1 ? null : { x: fx, y: fy };
}
