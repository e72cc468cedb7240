// In the host page (inside the loader's shadow root): the bar that always shows while the visitor
// shares their screen or page, with Stop, and the operator's pointer during a co-browse.

import { format, type Messages } from '../i18n';
import type { RemoteLoaderState } from '../protocol';
import type { PointerMode } from '../remote';

/** A highlight stays this long after the operator's click. */
const HIGHLIGHT_MS = 2500;

export class RemoteOverlay {
  private readonly bar: HTMLDivElement;
  private readonly text: HTMLSpanElement;
  private readonly pointer: HTMLDivElement;
  private readonly label: HTMLSpanElement;
  private highlightTimer: number | undefined;
  private state: RemoteLoaderState = 'off';

  constructor(root: HTMLElement, private readonly t: Messages, onStop: () => void) {
    this.text = document.createElement('span');
    this.text.dataset.testid = 'chatdesk-remote-text';
    const stop = document.createElement('button');
    stop.type = 'button';
    stop.dataset.testid = 'chatdesk-remote-stop';
    stop.textContent = t.remoteStop;
    stop.addEventListener('click', onStop);
    const dot = document.createElement('span');
    dot.className = 'remote-dot';
    this.bar = document.createElement('div');
    this.bar.className = 'remote-bar';
    this.bar.dataset.testid = 'chatdesk-remote-bar';
    this.bar.setAttribute('role', 'status');
    this.bar.hidden = true;
    this.bar.append(dot, this.text, stop);

    this.label = document.createElement('span');
    this.pointer = document.createElement('div');
    this.pointer.className = 'remote-pointer';
    this.pointer.dataset.testid = 'chatdesk-remote-pointer';
    this.pointer.hidden = true;
    this.pointer.append(this.label);
    root.append(this.bar, this.pointer);
  }

  show(state: RemoteLoaderState, operatorName: string): void {
    this.state = state;
    const sharing = state === 'screen' || state === 'cobrowse';
    this.bar.hidden = !sharing;
    if (sharing) this.text.textContent = format(state === 'screen' ? this.t.remoteSharingScreen : this.t.remoteSharingPage, { name: operatorName });
    if (state !== 'cobrowse') this.pointer.hidden = true;
  }

  /** x, y: fractions of the viewport the operator sees (the visitor's own). */
  point(x: number, y: number, mode: PointerMode, operatorName: string): void {
    if (this.state !== 'cobrowse') return;
    window.clearTimeout(this.highlightTimer);
    this.pointer.hidden = mode === 'hide';
    this.pointer.classList.toggle('highlight', mode === 'highlight');
    this.pointer.style.left = `${Math.round(x * window.innerWidth)}px`;
    this.pointer.style.top = `${Math.round(y * window.innerHeight)}px`;
    this.label.textContent = format(this.t.remotePointing, { name: operatorName });
    if (mode === 'highlight') {
      this.highlightTimer = window.setTimeout(() => this.pointer.classList.remove('highlight'), HIGHLIGHT_MS);
    }
  }
}
