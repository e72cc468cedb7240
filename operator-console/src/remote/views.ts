import type { OperatorHub } from '../shared/contract';
import { el } from '../shared/dom';
import {
  filterSdpCandidates,
  mayUseCandidate,
  PartJoiner,
  pointInPicture,
  RelayCursor,
  SerialQueue,
  toRemoteRelayList,
  MAX_SIGNAL_LENGTH,
  type RemoteRelay,
  type RemoteSession,
} from './protocol';

/** Pointer moves are sent at most this often. */
const POINTER_INTERVAL_MS = 60;
/** A click's highlight ring stays this long in the console (the visitor's copy times out by itself). */
const HIGHLIGHT_MS = 2500;

export type PointerMode = 'point' | 'highlight' | 'hide';

/** What the console shows of a running session; fed the session's relay items in order. */
export abstract class LiveView {
  readonly element: HTMLDivElement;
  private readonly cursor: RelayCursor;
  private readonly queue = new SerialQueue();
  private lastPointer = 0;
  private readonly mark: HTMLDivElement;

  protected constructor(protected readonly hub: OperatorHub, protected readonly session: RemoteSession, testId: string) {
    this.cursor = new RelayCursor(session.sessionId);
    this.mark = el('div', { className: 'remote-mark', testId: 'remote-operator-pointer' });
    this.mark.hidden = true;
    this.element = el('div', { className: `remote-stage ${session.kind}`, testId });
    this.element.dataset.sessionId = session.sessionId;
  }

  /** A pushed relay item: applied in order; one too large to push is fetched with what else was missed. */
  receive(relay: RemoteRelay): void {
    void this.queue.run(async () => {
      if (relay.payload === null) await this.fetchMissed();
      else for (const item of this.cursor.accept([relay])) await this.apply(item.payload ?? '');
    });
  }

  /** Catches up from the server (on creation and after a reconnect). */
  catchUp(): void {
    void this.queue.run(() => this.fetchMissed());
  }

  abstract close(): void;

  protected abstract apply(payload: string): Promise<void>;

  /** The picture the pointer is relative to, as fractions of it (null when outside). */
  protected abstract locate(event: MouseEvent): { x: number; y: number } | null;

  /** Mouse over the stage points at things; a click highlights (shown on the visitor's side too). */
  protected enablePointer(surface: HTMLElement): void {
    surface.append(this.mark);
    surface.addEventListener('mousemove', (e) => {
      const at = this.locate(e);
      this.showMark(e, at !== null, false);
      const now = performance.now();
      if (!at || now - this.lastPointer < POINTER_INTERVAL_MS) return;
      this.lastPointer = now;
      this.point(at, 'point');
    });
    surface.addEventListener('click', (e) => {
      const at = this.locate(e);
      if (!at) return;
      this.showMark(e, true, true);
      this.point(at, 'highlight');
    });
    surface.addEventListener('mouseleave', () => {
      this.mark.hidden = true;
      this.point({ x: 0, y: 0 }, 'hide');
    });
  }

  private showMark(e: MouseEvent, visible: boolean, highlight: boolean): void {
    const box = this.mark.parentElement?.getBoundingClientRect();
    if (!box) return;
    this.mark.hidden = !visible;
    this.mark.style.left = `${e.clientX - box.left}px`;
    this.mark.style.top = `${e.clientY - box.top}px`;
    if (highlight) {
      this.mark.classList.add('highlight');
      setTimeout(() => this.mark.classList.remove('highlight'), HIGHLIGHT_MS);
    }
  }

  private point(at: { x: number; y: number }, mode: PointerMode): void {
    this.hub.invoke('RemotePointer', this.session.sessionId, { x: at.x, y: at.y, mode }).catch(() => undefined);
  }

  private async fetchMissed(): Promise<void> {
    const items = toRemoteRelayList(await this.hub.invoke('GetRemoteRelayAfter', this.session.sessionId, this.cursor.lastSequence));
    for (const item of this.cursor.accept(items)) await this.apply(item.payload ?? '');
  }
}

type Signal = { type: 'offer' | 'answer'; sdp: string } | { type: 'candidate'; candidate: RTCIceCandidateInit };

function parseSignal(payload: string): Signal | null {
  try {
    const v = JSON.parse(payload) as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') return null;
    if ((v.type === 'offer' || v.type === 'answer') && typeof v.sdp === 'string') return { type: v.type, sdp: v.sdp };
    const c = v.candidate as Record<string, unknown> | null | undefined;
    if (v.type === 'candidate' && c && typeof c === 'object' && typeof c.candidate === 'string') {
      return {
        type: 'candidate',
        candidate: {
          candidate: c.candidate,
          sdpMid: typeof c.sdpMid === 'string' ? c.sdpMid : null,
          sdpMLineIndex: typeof c.sdpMLineIndex === 'number' ? c.sdpMLineIndex : null,
        },
      };
    }
  } catch {
    /* not JSON */
  }
  return null;
}

/** The visitor's screen, received peer to peer: this operator answers the visitor's offer. */
export class ScreenView extends LiveView {
  readonly video: HTMLVideoElement;
  private peer: RTCPeerConnection | null = null;
  private pending: RTCIceCandidateInit[] = [];

  constructor(hub: OperatorHub, session: RemoteSession) {
    super(hub, session, 'remote-screen');
    this.video = el('video', { testId: 'remote-video', attrs: { autoplay: '', playsinline: '' } });
    this.video.muted = true;
    const surface = el('div', { className: 'remote-surface' }, this.video);
    this.element.append(surface);
    this.enablePointer(surface);
  }

  protected locate(e: MouseEvent): { x: number; y: number } | null {
    const box = this.video.getBoundingClientRect();
    return pointInPicture(e.clientX - box.left, e.clientY - box.top, box, { width: this.video.videoWidth, height: this.video.videoHeight });
  }

  protected async apply(payload: string): Promise<void> {
    const signal = parseSignal(payload);
    if (!signal) return;
    const loopbackOnly = this.session.rtc.loopbackCandidatesOnly;
    if (signal.type === 'offer') {
      this.peer?.close();
      const peer = new RTCPeerConnection({ iceServers: this.session.rtc.iceServers });
      this.peer = peer;
      peer.addEventListener('track', (e) => {
        this.video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        void this.video.play().catch(() => undefined);
      });
      peer.addEventListener('icecandidate', (e) => {
        if (e.candidate?.candidate && mayUseCandidate(e.candidate.candidate, loopbackOnly)) {
          this.signal({ type: 'candidate', candidate: e.candidate.toJSON() });
        }
      });
      await peer.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      const answer = await peer.createAnswer();
      await peer.setLocalDescription(answer);
      this.signal({ type: 'answer', sdp: filterSdpCandidates(answer.sdp ?? '', loopbackOnly) });
      for (const candidate of this.pending) await peer.addIceCandidate(candidate);
      this.pending = [];
    } else if (signal.type === 'candidate' && mayUseCandidate(signal.candidate.candidate ?? '', loopbackOnly)) {
      if (this.peer?.remoteDescription) await this.peer.addIceCandidate(signal.candidate);
      else this.pending.push(signal.candidate);
    }
  }

  close(): void {
    this.peer?.close();
    this.peer = null;
    this.video.srcObject = null;
  }

  private signal(signal: Signal): void {
    const payload = JSON.stringify(signal);
    if (payload.length > MAX_SIGNAL_LENGTH) return;
    this.hub.invoke('RemoteSignal', this.session.sessionId, payload).catch(() => undefined);
  }
}

interface ReplayerLike {
  addEvent(event: unknown): void;
  startLive(baselineTime?: number): void;
  destroy(): void;
  iframe: HTMLIFrameElement;
}

/** The visitor's page, replayed live from the recorder's events (rrweb, loaded on first use). */
export class CobrowseView extends LiveView {
  private replayer: ReplayerLike | null = null;
  private readonly joiner = new PartJoiner();
  private readonly surface: HTMLDivElement;
  private viewport = { width: 0, height: 0 };
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(hub: OperatorHub, session: RemoteSession) {
    super(hub, session, 'cobrowse-view');
    this.surface = el('div', { className: 'remote-surface cobrowse-surface' });
    this.element.append(this.surface);
    this.enablePointer(this.surface);
    this.resize.observe(this.surface);
  }

  protected locate(e: MouseEvent): { x: number; y: number } | null {
    const frame = this.replayer?.iframe.getBoundingClientRect();
    if (!frame || frame.width <= 0 || frame.height <= 0) return null;
    const x = (e.clientX - frame.left) / frame.width;
    const y = (e.clientY - frame.top) / frame.height;
    return x < 0 || x > 1 || y < 0 || y > 1 ? null : { x, y };
  }

  protected async apply(payload: string): Promise<void> {
    const batch = this.joiner.push(payload);
    if (batch === null) return;
    let events: unknown;
    try {
      events = JSON.parse(batch);
    } catch {
      return;
    }
    if (!Array.isArray(events)) return;
    const replayer = this.replayer ?? (await this.createReplayer());
    for (const event of events) {
      const meta = event as { type?: unknown; data?: { width?: unknown; height?: unknown } };
      // Meta (4) carries the visitor's viewport: the replay is scaled to fit the console.
      if (meta.type === 4 && typeof meta.data?.width === 'number' && typeof meta.data.height === 'number') {
        this.viewport = { width: meta.data.width, height: meta.data.height };
      }
      replayer.addEvent(event);
    }
    this.fit();
  }

  close(): void {
    this.resize.disconnect();
    this.replayer?.destroy();
    this.replayer = null;
  }

  private async createReplayer(): Promise<ReplayerLike> {
    const { Replayer } = await import('rrweb');
    const replayer = new Replayer([], {
      root: this.surface,
      liveMode: true,
      mouseTail: false,
      // Applied at once, straight to the DOM: live co-browse shows each change as it arrives.
      useVirtualDom: false,
      showWarning: false,
    });
    // Every event is older than this baseline, so none waits on the replay timer (no added delay,
    // and no dependence on the visitor's clock).
    replayer.startLive(Number.MAX_SAFE_INTEGER);
    this.replayer = replayer as unknown as ReplayerLike;
    return this.replayer;
  }

  /** Scales the replayed viewport to the width available. */
  private fit(): void {
    const wrapper = this.surface.querySelector<HTMLElement>('.replayer-wrapper');
    if (!wrapper || this.viewport.width <= 0) return;
    const scale = Math.min(1, this.surface.clientWidth / this.viewport.width);
    wrapper.style.transform = `scale(${scale})`;
    wrapper.style.transformOrigin = 'top left';
    this.surface.style.height = `${Math.ceil(this.viewport.height * scale)}px`;
  }
}
