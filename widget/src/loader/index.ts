// ChatDesk loader: embedded on customer sites with
//   <script src="https://CHATDESK/widget/widget.js" async data-site="demo"></script>
// Builds a launcher button in an open shadow root and, on demand, an iframe
// pointing to BASE/widget/frame.html. Talks to the iframe with origin-checked
// postMessage only.

import css from './loader.css?inline';
import { detectLanguage, format, getMessages } from '../i18n';
import { isVisitorToken, parseFrameToLoader, type LoaderToFrame } from '../protocol';
import type { CobrowseRecorder } from '../cobrowse';
import { RemoteOverlay } from './remoteOverlay';

interface LoaderWindow extends Window {
  __chatdeskLoaded?: boolean;
  ChatDeskCobrowse?: CobrowseRecorder;
}

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  const candidates = document.querySelectorAll<HTMLScriptElement>('script[src*="/widget/widget.js"]');
  return candidates.length > 0 ? (candidates[candidates.length - 1] ?? null) : null;
}

function storageGet(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key: string, value: string): void {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    /* storage blocked: state is simply not remembered */
  }
}

// The visitor token lives in the HOST page's localStorage (first-party), not in
// the frame's: storage inside a third-party iframe is blocked or throws in many
// browsers (Chromium with third-party storage blocked, Safari, Brave), which
// made every reload start a new visitor. The token only grants this visitor's
// own conversation on this site, as with any first-party chat widget.
function tokenGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function tokenSet(key: string, token: string | null): void {
  try {
    if (token === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, token);
  } catch {
    /* storage blocked: the visitor is not remembered across pages */
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function icon(paths: readonly string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

function start(script: HTMLScriptElement | null): void {
  const w = window as LoaderWindow;
  if (w.__chatdeskLoaded || document.getElementById('chatdesk-widget')) return;

  if (!script) {
    console.error('[ChatDesk] could not locate the widget script tag');
    return;
  }
  const scriptUrl = new URL(script.src, document.baseURI);
  const chatdeskOrigin = scriptUrl.origin;
  const siteKey = (script.dataset.site ?? '').trim();
  if (!siteKey) {
    console.error('[ChatDesk] missing data-site attribute on the widget script tag');
    return;
  }
  w.__chatdeskLoaded = true;

  const t = getMessages(detectLanguage(navigator.language));
  const panelKey = `chatdesk.panel.${siteKey}`;
  const conversationKey = `chatdesk.conversation.${siteKey}`;
  const tokenKey = `chatdesk.visitorToken.${siteKey}`;

  const frameUrl = new URL('frame.html', scriptUrl);
  frameUrl.search = '';
  frameUrl.hash = '';
  frameUrl.searchParams.set('site', siteKey);
  frameUrl.searchParams.set('host', window.location.origin);

  // ---- DOM (shadow root) ----
  const host = document.createElement('div');
  host.id = 'chatdesk-widget';
  const shadow = host.attachShadow({ mode: 'open' });

  const style = document.createElement('style');
  style.textContent = css;
  shadow.appendChild(style);

  const root = document.createElement('div');
  root.className = 'root';
  if ((script.dataset.position ?? '').trim().toLowerCase() === 'left') root.classList.add('left');
  const color = (script.dataset.color ?? '').trim();
  if (color && typeof CSS !== 'undefined' && CSS.supports('color', color)) {
    root.style.setProperty('--cd-color', color);
  }
  shadow.appendChild(root);

  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.dataset.testid = 'chatdesk-launcher';
  launcher.setAttribute('aria-expanded', 'false');
  const chatIcon = icon(['M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z']);
  const closeIcon = icon(['M18 6 6 18', 'M6 6l12 12']);
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.testid = 'chatdesk-unread';
  badge.setAttribute('aria-hidden', 'true');
  badge.hidden = true;
  launcher.append(chatIcon, badge);
  root.appendChild(launcher);

  let iframe: HTMLIFrameElement | null = null;
  let frameReady = false;
  let panelOpen = false;
  let unread = 0;

  function post(message: LoaderToFrame): void {
    if (!iframe || !frameReady) return;
    iframe.contentWindow?.postMessage(message, chatdeskOrigin);
  }

  /** The stored token if well-formed (anything else is not sent to the frame). */
  function storedToken(): string | null {
    const token = tokenGet(tokenKey);
    return isVisitorToken(token) ? token : null;
  }

  function sendPage(): void {
    post({ type: 'chatdesk:page', url: window.location.href, title: document.title });
  }

  function updateLauncher(): void {
    launcher.replaceChildren(panelOpen ? closeIcon : chatIcon, badge);
    launcher.setAttribute('aria-expanded', String(panelOpen));
    let label = panelOpen ? t.closeChat : t.openChat;
    const showBadge = !panelOpen && unread > 0;
    if (showBadge) label += ` (${format(t.unreadCount, { count: unread })})`;
    launcher.setAttribute('aria-label', label);
    launcher.title = panelOpen ? t.closeChat : t.openChat;
    badge.hidden = !showBadge;
    badge.textContent = showBadge ? (unread > 99 ? '99+' : String(unread)) : '';
    root.classList.toggle('open', panelOpen);
  }

  function ensureFrame(): HTMLIFrameElement {
    if (iframe) return iframe;
    const f = document.createElement('iframe');
    f.className = 'panel';
    f.dataset.testid = 'chatdesk-frame';
    f.title = t.frameTitle;
    f.src = frameUrl.toString();
    // display-capture: the visitor may share their screen from the chat (only after consenting).
    f.setAttribute('allow', 'clipboard-write; display-capture');
    f.hidden = true;
    root.insertBefore(f, launcher);
    iframe = f;
    return f;
  }

  function setPanel(open: boolean, focus: boolean): void {
    const f = ensureFrame();
    panelOpen = open;
    f.hidden = !open;
    storageSet(panelKey, open ? 'open' : 'closed');
    updateLauncher();
    post({ type: 'chatdesk:visibility', open });
    if (open && focus) f.focus();
    if (!open && focus) launcher.focus();
  }

  launcher.addEventListener('click', () => setPanel(!panelOpen, true));

  // ---- remote support: the sharing bar, the co-browse recorder, the operator's pointer ----
  const overlay = new RemoteOverlay(root, t, () => post({ type: 'chatdesk:remote-stop' }));
  let stopRecording: (() => void) | null = null;
  let recorderLoad: Promise<CobrowseRecorder> | null = null;

  /** cobrowse.js (rrweb) is only fetched when a co-browse starts. */
  function loadRecorder(): Promise<CobrowseRecorder> {
    recorderLoad ??= new Promise<CobrowseRecorder>((resolve, reject) => {
      if (w.ChatDeskCobrowse) return resolve(w.ChatDeskCobrowse);
      const tag = document.createElement('script');
      tag.src = new URL('cobrowse.js', scriptUrl).toString();
      tag.async = true;
      tag.onload = () => (w.ChatDeskCobrowse ? resolve(w.ChatDeskCobrowse) : reject(new Error('recorder missing')));
      tag.onerror = () => {
        recorderLoad = null;
        reject(new Error('recorder not loaded'));
      };
      document.head.appendChild(tag);
    });
    return recorderLoad;
  }

  function setRemote(state: 'off' | 'asking' | 'screen' | 'cobrowse', operatorName: string): void {
    overlay.show(state, operatorName);
    if (state === 'asking' && !panelOpen) setPanel(true, false);
    if (state === 'cobrowse' && !stopRecording) {
      // Marked as started at once so a second state message does not start a second recorder.
      stopRecording = () => undefined;
      loadRecorder()
        .then((recorder) => {
          if (!stopRecording) return;
          stopRecording = recorder.startRecording((data) => post({ type: 'chatdesk:cobrowse-events', data }), '#chatdesk-widget');
        })
        .catch(() => {
          stopRecording = null;
          post({ type: 'chatdesk:remote-stop' });
        });
    } else if (state !== 'cobrowse' && stopRecording) {
      const stop = stopRecording;
      stopRecording = null;
      stop();
    }
  }

  window.addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== chatdeskOrigin) return;
    if (!iframe || event.source !== iframe.contentWindow) return;
    const msg = parseFrameToLoader(event.data);
    if (!msg) return;
    switch (msg.type) {
      case 'chatdesk:ready':
        frameReady = true;
        // The frame waits for this before opening its session.
        post({ type: 'chatdesk:token', token: storedToken() });
        sendPage();
        post({ type: 'chatdesk:visibility', open: panelOpen });
        break;
      case 'chatdesk:close':
        if (panelOpen) setPanel(false, true);
        break;
      case 'chatdesk:unread':
        unread = msg.count;
        updateLauncher();
        break;
      case 'chatdesk:conversation':
        storageSet(conversationKey, msg.open ? '1' : '0');
        break;
      case 'chatdesk:token-save':
        tokenSet(tokenKey, msg.token);
        break;
      case 'chatdesk:remote':
        setRemote(msg.state, msg.operatorName);
        break;
      case 'chatdesk:remote-pointer':
        overlay.point(msg.x, msg.y, msg.mode, msg.operatorName);
        break;
    }
  });

  // ---- navigation tracking ----
  let pageTimer: number | undefined;
  const schedulePage = (): void => {
    window.clearTimeout(pageTimer);
    // Let SPAs update document.title after the URL change.
    pageTimer = window.setTimeout(sendPage, 50);
  };
  window.addEventListener('popstate', schedulePage);
  window.addEventListener('hashchange', schedulePage);
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    if (typeof original !== 'function') continue;
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      schedulePage();
      return result;
    };
  }

  updateLauncher();
  (document.body ?? document.documentElement).appendChild(host);

  // Restore after a reload: an ongoing chat re-opens the panel if it was open,
  // and keeps the frame loaded (hidden) otherwise so unread counts still work.
  if (storageGet(conversationKey) === '1') {
    if (storageGet(panelKey) === 'open') setPanel(true, false);
    else ensureFrame();
  }
}

// document.currentScript is only set while this file is being evaluated.
const ownScript = findScript();
if (document.body) {
  start(ownScript);
} else {
  document.addEventListener('DOMContentLoaded', () => start(ownScript), { once: true });
}
