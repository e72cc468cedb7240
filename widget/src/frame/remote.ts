// Remote support inside the chat frame: the consent prompt, the "sharing is on" bar, the visitor's
// screen share (getDisplayMedia over WebRTC, peer to peer with the operator who asked; the hub only
// relays signalling), the operator's pointer, and the hub side of co-browse (the loader records the
// host page and hands batches over; this sends them in hub-sized parts).

import type { HubConnection } from '@microsoft/signalr';
import { format, type Messages } from '../i18n';
import type { FrameToLoader } from '../protocol';
import {
  filterSdpCandidates,
  mayTellCandidate,
  RelayCursor,
  SerialQueue,
  splitParts,
  toRemotePointer,
  toRemoteRelay,
  toRemoteRelayList,
  toRemoteSession,
  MAX_SIGNAL_LENGTH,
  type RemotePointer,
  type RemoteRelay,
  type RemoteSession,
} from '../remote';
import { el } from './dom';

export interface RemoteHost {
  connection(): HubConnection | null;
  postToLoader(message: FrameToLoader): void;
  showError(text: string): void;
}

type Signal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit };

function parseSignal(payload: string): Signal | null {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return null;
    const v = value as Record<string, unknown>;
    if ((v.type === 'offer' || v.type === 'answer') && typeof v.sdp === 'string') return { type: v.type, sdp: v.sdp };
    if (v.type === 'candidate' && typeof v.candidate === 'object' && v.candidate !== null) {
      const c = v.candidate as Record<string, unknown>;
      if (typeof c.candidate !== 'string') return null;
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

export class RemoteController {
  readonly element: HTMLDivElement;
  private session: RemoteSession | null = null;
  private cursor: RelayCursor | null = null;
  private readonly incoming = new SerialQueue();
  private stream: MediaStream | null = null;
  private peer: RTCPeerConnection | null = null;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private busy = false;

  private readonly prompt: HTMLDivElement;
  private readonly promptText: HTMLParagraphElement;
  private readonly acceptBtn: HTMLButtonElement;
  private readonly declineBtn: HTMLButtonElement;
  private readonly bar: HTMLDivElement;
  private readonly barText: HTMLSpanElement;
  private readonly preview: HTMLDivElement;
  private readonly previewVideo: HTMLVideoElement;
  private readonly pointerDot: HTMLDivElement;

  constructor(private readonly t: Messages, private readonly host: RemoteHost) {
    this.promptText = el('p', { 'data-testid': 'remote-consent-text' });
    this.acceptBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'remote-accept' }, t.remoteAccept);
    this.declineBtn = el('button', { type: 'button', class: 'btn secondary', 'data-testid': 'remote-decline' }, t.remoteDecline);
    this.acceptBtn.addEventListener('click', () => void this.accept());
    this.declineBtn.addEventListener('click', () => void this.decline());
    this.prompt = el('div', { class: 'remote-consent', 'data-testid': 'remote-consent', role: 'alertdialog', hidden: true },
      this.promptText, el('div', { class: 'remote-actions' }, this.acceptBtn, this.declineBtn));

    this.barText = el('span', { 'data-testid': 'remote-active-text' });
    const stopBtn = el('button', { type: 'button', class: 'btn danger', 'data-testid': 'remote-stop' }, t.remoteStop);
    stopBtn.addEventListener('click', () => void this.stop());
    this.previewVideo = el('video', { muted: true, playsinline: true, autoplay: true, 'data-testid': 'remote-preview' });
    this.previewVideo.muted = true;
    this.pointerDot = el('div', { class: 'remote-pointer', 'data-testid': 'remote-pointer', hidden: true });
    this.preview = el('div', { class: 'remote-preview', hidden: true }, this.previewVideo, this.pointerDot);
    this.bar = el('div', { class: 'remote-active', 'data-testid': 'remote-active', role: 'status', hidden: true },
      el('span', { class: 'remote-live', 'aria-hidden': 'true' }), this.barText, stopBtn, this.preview);

    this.element = el('div', { class: 'remote' }, this.prompt, this.bar);
  }

  /** Registers the hub callbacks (once per connection). */
  attach(connection: HubConnection): void {
    connection.on('RemoteSessionChanged', (raw: unknown) => {
      const session = toRemoteSession(raw);
      if (session) this.apply(session);
    });
    connection.on('RemoteRelay', (raw: unknown) => {
      const relay = toRemoteRelay(raw);
      if (relay) void this.incoming.run(() => this.receive(relay));
    });
    connection.on('RemotePointer', (raw: unknown) => {
      const pointer = toRemotePointer(raw);
      if (pointer) this.point(pointer);
    });
  }

  /** After (re)connecting: where the session stands, and any signalling missed meanwhile. */
  async sync(): Promise<void> {
    const connection = this.host.connection();
    if (!connection) return;
    const session = toRemoteSession(await connection.invoke<unknown>('GetRemoteSession'));
    if (session) this.apply(session);
    else if (this.session) this.teardown();
    if (this.session?.status === 'active' && this.cursor) void this.incoming.run(() => this.fetchMissed());
  }

  /** Re-reads the session's state while one is live (it may have ended with its operator leaving the chat). */
  refreshIfLive(): void {
    if (this.session) void this.sync().catch(() => undefined);
  }

  /** The chat ended: so did any session. */
  chatEnded(): void {
    this.teardown();
  }

  /** The visitor pressed Stop on the loader's bar. */
  stopFromLoader(): void {
    void this.stop();
  }

  /** A batch of recorded page events from the loader, sent in order in hub-sized parts. */
  sendCobrowse(data: string): void {
    const session = this.session;
    if (!session || session.kind !== 'cobrowse' || session.status !== 'active') return;
    const connection = this.host.connection();
    if (!connection) return;
    // Sent at once, without waiting for the previous call: the hub handles one connection's calls in order.
    const parts = splitParts(data);
    parts.forEach((part, i) => {
      connection.invoke('CobrowseEvents', session.sessionId, { data: part, last: i === parts.length - 1 }).catch(() => undefined);
    });
  }

  private apply(session: RemoteSession): void {
    const previous = this.session;
    if (previous && previous.sessionId !== session.sessionId && previous.status === 'active') this.teardown();
    if (session.status !== 'requested' && session.status !== 'active') {
      if (previous?.sessionId === session.sessionId || previous === null) this.teardown();
      return;
    }
    this.session = session;
    if (!this.cursor || this.cursor.sessionId !== session.sessionId) this.cursor = new RelayCursor(session.sessionId);
    // Only the page that captured the screen has its stream (another tab of the visitor just shows the bar, with Stop).
    if (session.status === 'active' && session.kind === 'screen' && this.stream && !this.peer) void this.startPeer(session);
    this.render();
  }

  private render(): void {
    const session = this.session;
    const asking = session?.status === 'requested';
    const active = session?.status === 'active';
    this.prompt.hidden = !asking;
    this.bar.hidden = !active;
    this.acceptBtn.disabled = this.busy;
    this.declineBtn.disabled = this.busy;
    if (session) {
      const name = session.operatorName;
      this.promptText.textContent = format(session.kind === 'screen' ? this.t.remoteAskScreen : this.t.remoteAskCobrowse, { name });
      this.barText.textContent = format(session.kind === 'screen' ? this.t.remoteSharingScreen : this.t.remoteSharingPage, { name });
    }
    this.preview.hidden = !(active && session?.kind === 'screen' && this.stream);
    this.host.postToLoader({
      type: 'chatdesk:remote',
      state: asking ? 'asking' : active ? session.kind : 'off',
      operatorName: session?.operatorName ?? '',
    });
  }

  private async accept(): Promise<void> {
    const session = this.session;
    const connection = this.host.connection();
    if (!session || !connection || session.status !== 'requested' || this.busy) return;
    this.busy = true;
    this.render();
    try {
      if (session.kind === 'screen') {
        // Asked for within the click, so the browser lets the visitor pick what to share.
        try {
          this.stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
        } catch {
          this.host.showError(this.t.remoteShareFailed);
          await connection.invoke('RemoteConsent', session.sessionId, false);
          return;
        }
        this.previewVideo.srcObject = this.stream;
        for (const track of this.stream.getTracks()) track.addEventListener('ended', () => void this.stop());
      }
      await connection.invoke('RemoteConsent', session.sessionId, true);
      this.apply({ ...session, status: 'active' });
    } catch (err) {
      this.host.showError(err instanceof Error ? err.message : this.t.errorGeneric);
      this.teardown();
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private async decline(): Promise<void> {
    const session = this.session;
    const connection = this.host.connection();
    if (!session || !connection) return;
    this.teardown();
    await connection.invoke('RemoteConsent', session.sessionId, false).catch(() => undefined);
  }

  private async stop(): Promise<void> {
    const session = this.session;
    const connection = this.host.connection();
    this.teardown();
    if (!session || !connection) return;
    await connection.invoke('StopRemote', session.sessionId).catch(() => undefined);
  }

  private teardown(): void {
    this.peer?.close();
    this.peer = null;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.previewVideo.srcObject = null;
    this.pendingCandidates = [];
    this.pointerDot.hidden = true;
    this.session = null;
    this.cursor = null;
    this.render();
  }

  private async startPeer(session: RemoteSession): Promise<void> {
    const stream = this.stream;
    if (!stream || this.peer) return;
    const loopbackOnly = session.rtc.loopbackCandidatesOnly;
    const peer = new RTCPeerConnection({ iceServers: session.rtc.iceServers });
    this.peer = peer;
    for (const track of stream.getTracks()) peer.addTrack(track, stream);
    peer.addEventListener('icecandidate', (e) => {
      if (e.candidate?.candidate && mayTellCandidate(e.candidate.candidate, loopbackOnly)) {
        this.signal(session, { type: 'candidate', candidate: e.candidate.toJSON() });
      }
    });
    const offer = await peer.createOffer();
    await peer.setLocalDescription(offer);
    this.signal(session, { type: 'offer', sdp: filterSdpCandidates(offer.sdp ?? '', loopbackOnly) });
  }

  private signal(session: RemoteSession, signal: Signal): void {
    const payload = JSON.stringify(signal);
    if (payload.length > MAX_SIGNAL_LENGTH) return;
    // In call order: the offer goes before the candidates gathered after it.
    this.host.connection()?.invoke('RemoteSignal', session.sessionId, payload).catch(() => undefined);
  }

  private async receive(relay: RemoteRelay): Promise<void> {
    if (!this.cursor || relay.sessionId !== this.cursor.sessionId) return;
    if (relay.payload === null) {
      await this.fetchMissed();
      return;
    }
    for (const item of this.cursor.accept([relay])) await this.handle(item);
  }

  private async fetchMissed(): Promise<void> {
    const cursor = this.cursor;
    const connection = this.host.connection();
    if (!cursor || !connection) return;
    const items = toRemoteRelayList(await connection.invoke<unknown>('GetRemoteRelayAfter', cursor.sessionId, cursor.lastSequence));
    for (const item of cursor.accept(items)) await this.handle(item);
  }

  private async handle(item: RemoteRelay): Promise<void> {
    const peer = this.peer;
    const signal = item.payload === null ? null : parseSignal(item.payload);
    if (!peer || !signal || !this.session) return;
    if (signal.type === 'answer') {
      await peer.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
      for (const candidate of this.pendingCandidates) await peer.addIceCandidate(candidate);
      this.pendingCandidates = [];
    } else if (signal.type === 'candidate') {
      if (!mayTellCandidate(signal.candidate.candidate ?? '', this.session.rtc.loopbackCandidatesOnly)) return;
      if (peer.remoteDescription) await peer.addIceCandidate(signal.candidate);
      else this.pendingCandidates.push(signal.candidate);
    }
  }

  private point(pointer: RemotePointer): void {
    const session = this.session;
    if (!session || session.sessionId !== pointer.sessionId || session.status !== 'active') return;
    if (session.kind === 'cobrowse') {
      this.host.postToLoader({ type: 'chatdesk:remote-pointer', x: pointer.x, y: pointer.y, mode: pointer.mode, operatorName: pointer.operatorName });
      return;
    }
    this.pointerDot.hidden = pointer.mode === 'hide';
    this.pointerDot.classList.toggle('highlight', pointer.mode === 'highlight');
    this.pointerDot.style.left = `${pointer.x * 100}%`;
    this.pointerDot.style.top = `${pointer.y * 100}%`;
    this.pointerDot.title = format(this.t.remotePointing, { name: pointer.operatorName });
  }
}
