// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://shop.test/products?id=1", "settings": {"disableIframePageLoading": true, "disableJavaScriptFileLoading": true, "disableCSSFileLoading": true}}
//
// Smoke test of the loader: shadow DOM, iframe URL, origin-checked messaging.

import { beforeAll, describe, expect, it, vi } from 'vitest';

let shadow: ShadowRoot;

beforeAll(async () => {
  sessionStorage.clear();
  localStorage.clear();
  document.title = 'Products';
  const script = document.createElement('script');
  script.type = 'text/plain'; // not executed nor fetched by happy-dom; the module is imported below
  script.setAttribute('data-site', 'demo');
  script.setAttribute('data-position', 'left');
  script.setAttribute('src', 'https://chatdesk.test/widget/widget.js');
  document.body.appendChild(script);
  await import('../src/loader/index');
  const host = document.getElementById('chatdesk-widget');
  expect(host).not.toBeNull();
  shadow = host!.shadowRoot!;
});

function launcher(): HTMLButtonElement {
  return shadow.querySelector<HTMLButtonElement>('[data-testid="chatdesk-launcher"]')!;
}

function frame(): HTMLIFrameElement | null {
  return shadow.querySelector<HTMLIFrameElement>('[data-testid="chatdesk-frame"]');
}

function fromFrame(data: unknown, origin = 'https://chatdesk.test', source: unknown = frame()?.contentWindow): void {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }));
}

describe('loader', () => {
  it('creates the launcher in an open shadow root, iframe on first click', () => {
    expect(launcher()).not.toBeNull();
    expect(frame()).toBeNull();
    // happy-dom does not load the page (disabled above) and says so on stderr: keep the output clean.
    const { stderr } = (globalThis as unknown as { process: { stderr: { write: (chunk: unknown) => boolean } } }).process;
    const quiet = vi.spyOn(stderr, 'write').mockImplementation(() => true);
    try {
      launcher().click();
    } finally {
      quiet.mockRestore();
    }
    const f = frame()!;
    // Stand-in for the cross-origin frame window.
    Object.defineProperty(f, 'contentWindow', { value: { postMessage: vi.fn() } });
    expect(f).not.toBeNull();
    expect(f.hidden).toBe(false);
    expect(f.title).not.toBe('');
    const url = new URL(f.getAttribute('src')!);
    expect(url.origin + url.pathname).toBe('https://chatdesk.test/widget/frame.html');
    expect(url.searchParams.get('site')).toBe('demo');
    expect(url.searchParams.get('host')).toBe('https://shop.test');
    expect(sessionStorage.getItem('chatdesk.panel.demo')).toBe('open');
    expect(launcher().getAttribute('aria-expanded')).toBe('true');
  });

  it('answers ready with the page info, posting only to the ChatDesk origin', () => {
    const post = vi.mocked(frame()!.contentWindow!.postMessage);
    fromFrame({ type: 'chatdesk:ready' }, 'https://evil.test'); // wrong origin: ignored
    fromFrame({ type: 'chatdesk:ready' }, 'https://chatdesk.test', window); // wrong source: ignored
    expect(post).not.toHaveBeenCalled();
    fromFrame({ type: 'chatdesk:ready' });
    // The token comes first: the frame waits for it before opening its session.
    expect(post.mock.calls[0]).toEqual([{ type: 'chatdesk:token', token: null }, 'https://chatdesk.test']);
    expect(post).toHaveBeenCalledWith(
      { type: 'chatdesk:page', url: 'https://shop.test/products?id=1', title: 'Products' },
      'https://chatdesk.test',
    );
    expect(post).toHaveBeenCalledWith({ type: 'chatdesk:visibility', open: true }, 'https://chatdesk.test');
    for (const call of post.mock.calls) expect(call[1]).toBe('https://chatdesk.test');
  });

  it('keeps the visitor token in the host storage for the frame', () => {
    const key = 'chatdesk.visitorToken.demo';
    const post = vi.mocked(frame()!.contentWindow!.postMessage);
    const tokenReplies = () =>
      post.mock.calls.filter(([m]) => (m as { type: string }).type === 'chatdesk:token');

    localStorage.setItem(key, 'eyJ2IjoxfQ.c2ln');
    post.mockClear();
    fromFrame({ type: 'chatdesk:ready' });
    expect(tokenReplies()).toEqual([[{ type: 'chatdesk:token', token: 'eyJ2IjoxfQ.c2ln' }, 'https://chatdesk.test']]);

    // Only the iframe (right origin and source) may store, and only a well-formed token.
    fromFrame({ type: 'chatdesk:token-save', token: 'evil.token' }, 'https://evil.test');
    fromFrame({ type: 'chatdesk:token-save', token: 'evil.token' }, 'https://chatdesk.test', window);
    fromFrame({ type: 'chatdesk:token-save', token: null }, 'https://evil.test');
    fromFrame({ type: 'chatdesk:token-save', token: '<img src=x>' });
    fromFrame({ type: 'chatdesk:token-save' });
    expect(localStorage.getItem(key)).toBe('eyJ2IjoxfQ.c2ln');

    fromFrame({ type: 'chatdesk:token-save', token: 'bmV3.dG9r' });
    expect(localStorage.getItem(key)).toBe('bmV3.dG9r');
    fromFrame({ type: 'chatdesk:token-save', token: null });
    expect(localStorage.getItem(key)).toBeNull();

    post.mockClear();
    fromFrame({ type: 'chatdesk:ready' });
    expect(tokenReplies()).toEqual([[{ type: 'chatdesk:token', token: null }, 'https://chatdesk.test']]);

    // A malformed stored value is not forwarded.
    localStorage.setItem(key, 'not a token');
    post.mockClear();
    fromFrame({ type: 'chatdesk:ready' });
    expect(tokenReplies()).toEqual([[{ type: 'chatdesk:token', token: null }, 'https://chatdesk.test']]);
    localStorage.removeItem(key);
  });

  it('closes on chatdesk:close and shows the unread badge while closed', () => {
    fromFrame({ type: 'chatdesk:conversation', open: true });
    expect(sessionStorage.getItem('chatdesk.conversation.demo')).toBe('1');
    fromFrame({ type: 'chatdesk:close' });
    expect(frame()!.hidden).toBe(true);
    expect(sessionStorage.getItem('chatdesk.panel.demo')).toBe('closed');
    fromFrame({ type: 'chatdesk:unread', count: 3 });
    const badge = shadow.querySelector<HTMLElement>('[data-testid="chatdesk-unread"]')!;
    expect(badge.hidden).toBe(false);
    expect(badge.textContent).toBe('3');
    launcher().click();
    expect(frame()!.hidden).toBe(false);
    expect(badge.hidden).toBe(true);
  });
});
