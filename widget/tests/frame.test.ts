// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://chatdesk.test/widget/frame.html?site=demo&host=https%3A%2F%2Fshop.test"}
//
// Smoke tests of the chat frame UI with a fake SignalR connection and a fake
// fetch: checks the DOM contract (data-testid attributes) and the main flows.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (...args: unknown[]) => void;

const hub = vi.hoisted(() => ({
  calls: [] as Array<[string, unknown[]]>,
  handler: (_method: string, _args: unknown[]): Promise<unknown> => Promise.resolve(null),
  conn: null as null | {
    handlers: Map<string, Handler>;
    reconnecting: Handler[];
    reconnected: Handler[];
    closed: Handler[];
  },
  url: '',
  token: '' as string,
}));

vi.mock('@microsoft/signalr', () => {
  class FakeConnection {
    handlers = new Map<string, Handler>();
    reconnecting: Handler[] = [];
    reconnected: Handler[] = [];
    closed: Handler[] = [];
    state = 'Disconnected';
    on(name: string, fn: Handler) {
      this.handlers.set(name, fn);
    }
    onreconnecting(fn: Handler) {
      this.reconnecting.push(fn);
    }
    onreconnected(fn: Handler) {
      this.reconnected.push(fn);
    }
    onclose(fn: Handler) {
      this.closed.push(fn);
    }
    async start() {
      this.state = 'Connected';
    }
    async stop() {
      this.state = 'Disconnected';
    }
    invoke(method: string, ...args: unknown[]) {
      hub.calls.push([method, args]);
      return hub.handler(method, args);
    }
  }
  class HubConnectionBuilder {
    withUrl(url: string, options: { accessTokenFactory: () => string }) {
      hub.url = url;
      hub.token = options.accessTokenFactory();
      return this;
    }
    withAutomaticReconnect() {
      return this;
    }
    configureLogging() {
      return this;
    }
    build() {
      const c = new FakeConnection();
      hub.conn = c;
      return c;
    }
  }
  return {
    HubConnectionBuilder,
    HubConnectionState: { Disconnected: 'Disconnected', Connected: 'Connected' },
    LogLevel: { Warning: 3 },
  };
});

import { ChatApp, HOST_TOKEN_WAIT_MS } from '../src/frame/app';
import { getMessages } from '../src/i18n';
import type { MessageDto } from '../src/protocol';

const CONV = 'c0000000-0000-4000-8000-000000000001';
const t = getMessages('en');

function msg(sequence: number, extra: Partial<MessageDto> = {}): MessageDto {
  return {
    conversationId: CONV,
    sequence,
    clientMessageId: `m-${sequence}`,
    authorKind: 'operator',
    authorName: 'Alice',
    text: `text ${sequence}`,
    sentAt: '2025-01-01T10:00:00Z',
    file: null,
    ...extra,
  };
}

function jsonResponse(status: number, body: unknown) {
  return { ok: status >= 200 && status < 300, status, json: async () => body };
}

const session = {
  visitorToken: 'tok-1',
  visitorId: 'v1',
  site: { key: 'demo', name: 'Demo Shop', topics: [{ key: 'sales', label: 'Sales' }, { key: 'support', label: 'Support' }] },
};

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel);
const $$ = (sel: string) => Array.from(document.querySelectorAll<HTMLElement>(sel));

function visible(sel: string): boolean {
  let node: HTMLElement | null = $(sel);
  if (!node) return false;
  while (node) {
    if (node.hidden) return false;
    node = node.parentElement;
  }
  return true;
}

/** Every app a test creates, destroyed after each test so old ones stop reacting to window messages. */
const apps: ChatApp[] = [];
function mount(container: HTMLElement, options: ConstructorParameters<typeof ChatApp>[1]): ChatApp {
  const app = new ChatApp(container, options);
  apps.push(app);
  return app;
}

async function startApp(): Promise<void> {
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  mount(container, { siteKey: 'demo', hostOrigin: 'https://shop.test', lang: 'en', t }).start();
  await flush();
}

function emit(name: string, payload: unknown): void {
  const fn = hub.conn?.handlers.get(name);
  if (!fn) throw new Error(`no handler ${name}`);
  fn(payload);
}

beforeEach(() => {
  hub.calls = [];
  hub.conn = null;
  localStorage.clear();
  vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, session)));
});

afterEach(() => {
  vi.unstubAllGlobals();
  for (const app of apps.splice(0)) app.destroy();
});

describe('chat frame', () => {
  it('shows the pre-chat form, validates inline and starts a chat', async () => {
    let view: unknown = null;
    hub.handler = async (method, args) => {
      if (method === 'GetConversation') return view;
      if (method === 'StartChat') {
        expect(args[0]).toMatchObject({ name: 'Zoé', email: 'z@example.com', topic: 'support', language: 'en' });
        view = { conversationId: CONV, status: 'queued', operatorName: null, endedBy: null, messages: [] };
        return view;
      }
      return null;
    };
    await startApp();
    expect(localStorage.getItem('chatdesk.visitorToken.demo')).toBe('tok-1');
    expect(hub.url).toBe('https://chatdesk.test/hubs/visitor?lang=en');
    expect(hub.token).toBe('tok-1');
    expect(visible('form[data-testid="prechat-form"]')).toBe(true);
    const options = $$('select[name="topic"] option').map((o) => o.textContent);
    expect(options).toEqual([t.topicPlaceholder, 'Sales', 'Support']);

    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();
    expect($('[data-testid="field-error-name"]')?.textContent).toBe(t.nameRequired);
    expect(hub.calls.some(([m]) => m === 'StartChat')).toBe(false);

    $<HTMLInputElement>('input[name="email"]')!.value = 'z@example.com';
    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'support';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();
    expect(visible('[data-testid="chat-status"]')).toBe(true);
    expect($('[data-testid="chat-status"]')?.textContent).toBe(t.statusQueued);

    emit('ChatAssigned', { conversationId: CONV, operatorName: '<b>Bob</b>' });
    expect($('[data-testid="operator-name"]')?.textContent).toBe('<b>Bob</b>');
    expect($('[data-testid="chat-status"]')?.textContent).toBe('You are chatting with <b>Bob</b>');
  });

  it('sends with a pending state, orders by sequence and dedupes', async () => {
    let resolveSend: ((v: unknown) => void) | null = null;
    hub.handler = (method) => {
      if (method === 'GetConversation') {
        return Promise.resolve({ conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, messages: [msg(1)] });
      }
      if (method === 'SendMessage') return new Promise((r) => (resolveSend = r));
      return Promise.resolve([]);
    };
    await startApp();
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1']);

    const composer = $<HTMLTextAreaElement>('textarea[data-testid="composer"]')!;
    composer.value = 'line 1\nline 2';
    composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    expect(composer.value).toBe('line 1\nline 2'); // Shift+Enter does not send
    composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await flush();
    const pending = $$('[data-testid="message"]')[1]!;
    expect(pending.dataset.seq).toBe('');
    expect(pending.dataset.author).toBe('visitor');
    expect(pending.querySelector('[data-testid="message-text"]')?.textContent).toBe('line 1\nline 2');
    expect(composer.value).toBe('');

    const sendCall = hub.calls.find(([m]) => m === 'SendMessage')!;
    const { clientMessageId } = sendCall[1][0] as { clientMessageId: string };
    // Operator message 3 arrives before our own (2) is confirmed.
    emit('MessageReceived', msg(3));
    resolveSend!(msg(2, { clientMessageId, authorKind: 'visitor', authorName: 'Zoé', text: 'line 1\nline 2' }));
    await flush();
    emit('MessageReceived', msg(2, { clientMessageId, authorKind: 'visitor', text: 'line 1\nline 2' })); // echo
    emit('MessageReceived', msg(3)); // duplicate
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2', '3']);
    expect($$('[data-testid="message"]').map((m) => m.dataset.author)).toEqual(['operator', 'visitor', 'operator']);
  });

  it('keeps the text on send error and retries with the same clientMessageId', async () => {
    let fail = true;
    hub.handler = async (method, args) => {
      if (method === 'GetConversation') {
        return { conversationId: CONV, status: 'queued', operatorName: null, endedBy: null, messages: [] };
      }
      if (method === 'SendMessage') {
        if (fail) throw new Error("An unexpected error occurred invoking 'SendMessage' on the server. HubException: Too fast");
        const { clientMessageId, text } = args[0] as { clientMessageId: string; text: string };
        return msg(1, { clientMessageId, text, authorKind: 'visitor' });
      }
      return [];
    };
    await startApp();
    $<HTMLTextAreaElement>('textarea[data-testid="composer"]')!.value = 'hello';
    $<HTMLButtonElement>('button[data-testid="send"]')!.click();
    await flush();
    expect(visible('[data-testid="error"]')).toBe(true);
    expect($('[data-testid="error"]')?.textContent).toContain('Too fast');
    expect($('[data-testid="message-text"]')?.textContent).toBe('hello');

    fail = false;
    $<HTMLButtonElement>('[data-testid="retry"]')!.click();
    await flush();
    const ids = hub.calls.filter(([m]) => m === 'SendMessage').map(([, a]) => (a[0] as { clientMessageId: string }).clientMessageId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1']);
    expect(visible('[data-testid="error"]')).toBe(false);
  });

  it('resumes after reconnect with GetMessagesAfter(lastSeen)', async () => {
    hub.handler = async (method, args) => {
      if (method === 'GetConversation') {
        return { conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, messages: [msg(1), msg(2)] };
      }
      if (method === 'GetMessagesAfter') {
        expect(args[0]).toBe(2);
        return [msg(3), msg(4)];
      }
      return null;
    };
    await startApp();
    hub.conn!.reconnecting.forEach((fn) => fn());
    expect(visible('[data-testid="connection-status"]')).toBe(true);
    expect($('[data-testid="connection-status"]')?.textContent).toContain(t.reconnecting);
    hub.conn!.reconnected.forEach((fn) => fn());
    await flush();
    expect(visible('[data-testid="connection-status"]')).toBe(false);
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2', '3', '4']);
  });

  it('catches up with GetMessagesAfter(lastSeen) when the server says pushes were lost (Resync)', async () => {
    hub.handler = async (method, args) => {
      if (method === 'GetConversation') {
        return { conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, messages: [msg(1), msg(2)] };
      }
      if (method === 'GetMessagesAfter') {
        expect(args[0]).toBe(2);
        return [msg(3)];
      }
      return null;
    };
    await startApp();
    emit('Resync', undefined);
    await flush();
    expect(hub.calls.filter(([m]) => m === 'GetMessagesAfter')).toHaveLength(1);
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2', '3']);
  });

  it('shows the ended notice and returns to the pre-chat form', async () => {
    hub.handler = async (method) => {
      if (method === 'GetConversation') {
        return { conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, messages: [msg(1)] };
      }
      return null;
    };
    await startApp();
    emit('ChatEnded', { conversationId: CONV, endedBy: 'operator' });
    expect(visible('[data-testid="chat-ended"]')).toBe(true);
    expect($('[data-testid="chat-ended"]')?.textContent).toContain(t.endedByOperator);
    expect($<HTMLTextAreaElement>('textarea[data-testid="composer"]')!.disabled).toBe(true);
    $<HTMLButtonElement>('button[data-testid="new-chat"]')!.click();
    expect(visible('form[data-testid="prechat-form"]')).toBe(true);
  });

  it('shows an ended conversation with its history', async () => {
    hub.handler = async (method) =>
      method === 'GetConversation'
        ? { conversationId: CONV, status: 'ended', operatorName: 'Alice', endedBy: 'visitor', messages: [msg(1)] }
        : null;
    await startApp();
    expect($$('[data-testid="message"]')).toHaveLength(1);
    expect($('[data-testid="chat-ended"]')?.textContent).toContain(t.endedByVisitor);
    expect(visible('button[data-testid="new-chat"]')).toBe(true);
  });

  it('forgets a rejected token (401) and shows 403 errors', async () => {
    localStorage.setItem('chatdesk.visitorToken.demo', 'old');
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn(async (_url: unknown, init: { body: string }) => {
      const body = JSON.parse(init.body) as { visitorToken: string | null };
      bodies.push(body);
      if (body.visitorToken === 'old') return jsonResponse(401, { title: 'Unauthorized', status: 401 });
      return jsonResponse(403, { title: 'Forbidden', detail: 'origin', status: 403 });
    }));
    await startApp();
    expect(bodies).toEqual([
      { siteKey: 'demo', hostOrigin: 'https://shop.test', visitorToken: 'old', language: 'en' },
      { siteKey: 'demo', hostOrigin: 'https://shop.test', visitorToken: null, language: 'en' },
    ]);
    expect(localStorage.getItem('chatdesk.visitorToken.demo')).toBeNull();
    expect(visible('[data-testid="error"]')).toBe(true);
    expect($('[data-testid="error"]')?.textContent).toContain(t.errorOriginNotAllowed);
  });
});

describe('chat frame in the loader iframe (visitor token kept by the host page)', () => {
  const HOST = 'https://shop.test';
  const fakeParent = { postMessage: vi.fn() };
  const saved = new Map<string, PropertyDescriptor | undefined>();

  function override(name: 'parent' | 'localStorage', get: () => unknown): void {
    if (!saved.has(name)) saved.set(name, Object.getOwnPropertyDescriptor(window, name));
    Object.defineProperty(window, name, { configurable: true, get });
  }

  /** Third-party storage blocked, as in Chromium/Safari/Brave. */
  function blockFrameStorage(): void {
    override('localStorage', () => {
      throw new DOMException("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.", 'SecurityError');
    });
  }

  function fromLoader(data: unknown, origin = HOST, source: unknown = fakeParent): void {
    window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }));
  }

  function sentToLoader(): unknown[] {
    return fakeParent.postMessage.mock.calls.map(([message, target]) => {
      expect(target).toBe(HOST);
      return message;
    });
  }

  const tokenSaves = () => sentToLoader().filter((m) => (m as { type: string }).type === 'chatdesk:token-save');

  function stubSession(handler: (token: string | null) => ReturnType<typeof jsonResponse>): Array<string | null> {
    const tokens: Array<string | null> = [];
    vi.stubGlobal('fetch', vi.fn(async (_url: unknown, init: { body: string }) => {
      const { visitorToken } = JSON.parse(init.body) as { visitorToken: string | null };
      tokens.push(visitorToken);
      return handler(visitorToken);
    }));
    return tokens;
  }

  function startEmbedded(): void {
    const container = document.createElement('div');
    document.body.replaceChildren(container);
    mount(container, { siteKey: 'demo', hostOrigin: HOST, lang: 'en', t }).start();
  }

  beforeEach(() => {
    fakeParent.postMessage.mockClear();
    override('parent', () => fakeParent);
    hub.handler = async () => null;
  });

  afterEach(() => {
    vi.useRealTimers();
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(window, name, descriptor);
      else Reflect.deleteProperty(window, name);
    }
    saved.clear();
  });

  it('waits for the loader token, resumes with it and forwards the issued token', async () => {
    blockFrameStorage();
    const tokens = stubSession(() => jsonResponse(200, { ...session, visitorToken: 'bmV3.dG9r' }));
    startEmbedded();
    await flush();
    expect(sentToLoader()).toEqual([{ type: 'chatdesk:ready' }]);
    expect(tokens).toEqual([]); // no session before the loader answered

    fromLoader({ type: 'chatdesk:token', token: 'evil.token' }, 'https://evil.test'); // wrong origin
    fromLoader({ type: 'chatdesk:token', token: 'evil.token' }, HOST, window); // wrong source
    fromLoader({ type: 'chatdesk:token', token: 'not a token' }); // malformed
    await flush();
    expect(tokens).toEqual([]);

    fromLoader({ type: 'chatdesk:token', token: 'aG9zdA.c2ln' });
    await flush();
    expect(tokens).toEqual(['aG9zdA.c2ln']);
    expect(tokenSaves()).toEqual([{ type: 'chatdesk:token-save', token: 'bmV3.dG9r' }]);
    expect(hub.token).toBe('bmV3.dG9r');

    // Later copies are ignored.
    fromLoader({ type: 'chatdesk:token', token: 'bGF0ZQ.c2ln' });
    await flush();
    expect(tokens).toEqual(['aG9zdA.c2ln']);
  });

  it("prefers the frame's own storage when it is readable", async () => {
    localStorage.setItem('chatdesk.visitorToken.demo', 'b3du.c2ln');
    const tokens = stubSession(() => jsonResponse(200, { ...session, visitorToken: 'b3du.c2ln' }));
    startEmbedded();
    fromLoader({ type: 'chatdesk:token', token: 'aG9zdA.c2ln' });
    await flush();
    expect(tokens).toEqual(['b3du.c2ln']);
    expect(localStorage.getItem('chatdesk.visitorToken.demo')).toBe('b3du.c2ln');
    expect(tokenSaves()).toEqual([{ type: 'chatdesk:token-save', token: 'b3du.c2ln' }]);
  });

  it('tells the loader to forget a rejected token (401)', async () => {
    blockFrameStorage();
    const tokens = stubSession((token) =>
      token === 'b2xk.c2ln'
        ? jsonResponse(401, { title: 'Unauthorized', status: 401 })
        : jsonResponse(200, { ...session, visitorToken: 'bmV3.dG9r' }));
    startEmbedded();
    fromLoader({ type: 'chatdesk:token', token: 'b2xk.c2ln' });
    await flush();
    expect(tokens).toEqual(['b2xk.c2ln', null]);
    expect(tokenSaves()).toEqual([
      { type: 'chatdesk:token-save', token: null },
      { type: 'chatdesk:token-save', token: 'bmV3.dG9r' },
    ]);
  });

  it('goes on without a token when the loader does not answer', async () => {
    vi.useFakeTimers();
    blockFrameStorage();
    const tokens = stubSession(() => jsonResponse(200, { ...session, visitorToken: 'bmV3.dG9r' }));
    startEmbedded();
    await vi.advanceTimersByTimeAsync(HOST_TOKEN_WAIT_MS - 100);
    expect(tokens).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(tokens).toEqual([null]);
    expect(tokenSaves()).toEqual([{ type: 'chatdesk:token-save', token: 'bmV3.dG9r' }]);
  });
});

describe('chat frame: queue position and offline messages', () => {
  const queued = { conversationId: CONV, status: 'queued', operatorName: null, endedBy: null, endedReason: null, messages: [] };
  const noOperator = { conversationId: CONV, status: 'ended', operatorName: null, endedBy: 'system', endedReason: 'no_operator', messages: [] };
  const offline = (sel: string) => $<HTMLInputElement & HTMLTextAreaElement>(`form[data-testid="offline-form"] ${sel}`)!;

  it('shows the queue position and estimate while queued and hides them once assigned', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? queued : []);
    await startApp();
    expect(visible('[data-testid="queue-position"]')).toBe(false);

    emit('QueueUpdated', { conversationId: CONV, position: 3, estimatedWaitSeconds: 240 });
    expect(visible('[data-testid="queue-position"]')).toBe(true);
    expect(visible('[data-testid="queue-estimate"]')).toBe(true);
    expect($('[data-testid="queue-position"]')?.textContent).toBe('You are number 3 in the queue');
    expect($('[data-testid="queue-estimate"]')?.textContent).toBe('Estimated wait: about 4 minutes');
    expect($('[data-testid="chat-status"]')?.textContent).toBe(t.statusQueued);

    emit('QueueUpdated', { conversationId: CONV, position: 2, estimatedWaitSeconds: null });
    expect($('[data-testid="queue-position"]')?.textContent).toContain('2');
    expect($('[data-testid="queue-estimate"]')?.textContent).toBe('Estimated wait: a few minutes');

    // Other conversations and malformed payloads are ignored.
    emit('QueueUpdated', { conversationId: 'other', position: 9, estimatedWaitSeconds: 60 });
    emit('QueueUpdated', { conversationId: CONV, position: 'first', estimatedWaitSeconds: 60 });
    expect($('[data-testid="queue-position"]')?.textContent).toContain('2');

    emit('ChatAssigned', { conversationId: CONV, operatorName: 'Bob' });
    expect(visible('[data-testid="queue-position"]')).toBe(false);
    expect(visible('[data-testid="queue-estimate"]')).toBe(false);
    expect($('[data-testid="operator-name"]')?.textContent).toBe('Bob');
  });

  it('re-reads the status when an assigned chat goes back to the queue', async () => {
    let view: unknown = { ...queued, status: 'assigned', operatorName: 'Bob' };
    hub.handler = async (method) => (method === 'GetConversation' ? view : []);
    await startApp();
    expect($('[data-testid="operator-name"]')?.textContent).toBe('Bob');
    view = queued; // the operator dropped
    emit('QueueUpdated', { conversationId: CONV, position: 1, estimatedWaitSeconds: null });
    await flush();
    expect($('[data-testid="chat-status"]')?.textContent).toBe(t.statusQueued);
    expect($('[data-testid="queue-position"]')?.textContent).toBe('You are number 1 in the queue');
    expect(visible('[data-testid="queue-estimate"]')).toBe(true);
  });

  it('keeps a QueueUpdated that arrives before StartChat returns, hides it when ended', async () => {
    hub.handler = async (method) => {
      if (method === 'GetConversation') return null;
      if (method === 'StartChat') {
        emit('QueueUpdated', { conversationId: CONV, position: 1, estimatedWaitSeconds: 61 });
        return queued;
      }
      return [];
    };
    await startApp();
    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();
    expect($('[data-testid="queue-position"]')?.textContent).toBe('You are number 1 in the queue');
    expect($('[data-testid="queue-estimate"]')?.textContent).toBe('Estimated wait: about 2 minutes');

    emit('ChatEnded', { conversationId: CONV, endedBy: 'system' });
    expect(visible('[data-testid="queue-position"]')).toBe(false);
    expect(visible('[data-testid="queue-estimate"]')).toBe(false);
  });

  it('offers the offline form when nobody is available, keeps the input on error and thanks on success', async () => {
    let failWith: string | null = 'Please wait a moment before leaving another message.';
    hub.handler = async (method) => {
      if (method === 'GetConversation') return null;
      if (method === 'StartChat') return noOperator;
      if (method === 'LeaveOfflineMessage') {
        if (failWith) throw new Error(`An unexpected error occurred invoking 'LeaveOfflineMessage' on the server. HubException: ${failWith}`);
        return { id: 'o1' };
      }
      return [];
    };
    await startApp();
    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();

    expect($('[data-testid="chat-ended"]')?.textContent).toContain(t.noOperator);
    expect(visible('form[data-testid="offline-form"]')).toBe(true);
    expect(visible('button[data-testid="new-chat"]')).toBe(true);
    expect(visible('textarea[data-testid="composer"]')).toBe(false);
    // Only the shown form is in the document: field names stay unique.
    expect(document.querySelectorAll('input[name="name"]')).toHaveLength(1);
    expect(document.querySelectorAll('input[name="email"]')).toHaveLength(1);
    expect(offline('input[name="name"]').value).toBe('Zoé');
    expect(offline('input[name="name"]').required).toBe(true);
    expect(offline('input[name="name"]').maxLength).toBe(100);
    expect(offline('input[name="email"]').type).toBe('email');
    expect(offline('input[name="email"]').required).toBe(true);
    expect(offline('input[name="email"]').maxLength).toBe(254);
    expect(offline('textarea[name="text"]').required).toBe(true);
    expect(offline('textarea[name="text"]').maxLength).toBe(4000);

    // Required fields are checked before anything is sent.
    offline('button[data-testid="offline-submit"]').click();
    await flush();
    expect(hub.calls.some(([m]) => m === 'LeaveOfflineMessage')).toBe(false);
    expect($('[data-testid="offline-error-email"]')?.textContent).toBe(t.emailRequired);
    expect($('[data-testid="offline-error-text"]')?.textContent).toBe(t.textRequired);

    offline('input[name="email"]').value = 'zoe@example.com';
    offline('textarea[name="text"]').value = 'Do you ship\nto Canada?';
    offline('button[data-testid="offline-submit"]').click();
    await flush();
    const calls = hub.calls.filter(([m]) => m === 'LeaveOfflineMessage');
    expect(calls).toEqual([['LeaveOfflineMessage', [{ name: 'Zoé', email: 'zoe@example.com', text: 'Do you ship\nto Canada?' }]]]);
    expect(visible('[data-testid="error"]')).toBe(true);
    expect($('[data-testid="error"] .error-text')?.textContent).toBe(failWith);
    expect(visible('form[data-testid="offline-form"]')).toBe(true);
    expect(offline('input[name="name"]').value).toBe('Zoé');
    expect(offline('input[name="email"]').value).toBe('zoe@example.com');
    expect(offline('textarea[name="text"]').value).toBe('Do you ship\nto Canada?');
    expect($('[data-testid="offline-sent"]')).toBeNull();

    failWith = null;
    offline('button[data-testid="offline-submit"]').click();
    await flush();
    expect(hub.calls.filter(([m]) => m === 'LeaveOfflineMessage')).toHaveLength(2);
    expect($('form[data-testid="offline-form"]')).toBeNull();
    expect(visible('[data-testid="offline-sent"]')).toBe(true);
    expect($('[data-testid="offline-sent"]')?.textContent).toBe('Thank you! We will reply to zoe@example.com.');
    expect(visible('[data-testid="error"]')).toBe(false);

    $<HTMLButtonElement>('button[data-testid="new-chat"]')!.click();
    expect(visible('form[data-testid="prechat-form"]')).toBe(true);
  });

  it('shows the offline form for a no_operator conversation from GetConversation, not for other ended ones', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? noOperator : []);
    await startApp();
    expect(visible('form[data-testid="offline-form"]')).toBe(true);
    expect(offline('input[name="name"]').value).toBe(''); // not known after a reload

    const { endedReason: _omitted, ...withoutReason } = noOperator;
    hub.handler = async (method) => (method === 'GetConversation' ? { ...withoutReason, conversationId: 'c2' } : []);
    await startApp();
    expect(visible('[data-testid="chat-ended"]')).toBe(true);
    expect($('[data-testid="chat-ended"]')?.textContent).toContain(t.endedBySystem);
    expect($('form[data-testid="offline-form"]')).toBeNull();
  });

  it('outside business hours: shows the closed notice and the same offline form, which submits LeaveOfflineMessage', async () => {
    const outsideHours = { ...noOperator, endedReason: 'outside_hours' };
    hub.handler = async (method) => {
      if (method === 'GetConversation') return null;
      if (method === 'StartChat') return outsideHours;
      if (method === 'LeaveOfflineMessage') return { id: 'o1' };
      return [];
    };
    await startApp();
    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();

    expect(t.outsideHours).toBe("We are closed right now. Leave us a message and we'll get back to you by email.");
    expect($('[data-testid="chat-ended"]')?.textContent).toContain(t.outsideHours);
    expect($('[data-testid="chat-ended"]')?.textContent).not.toContain(t.noOperator);
    expect(visible('form[data-testid="offline-form"]')).toBe(true);
    expect(visible('textarea[data-testid="composer"]')).toBe(false);
    expect(offline('input[name="name"]').value).toBe('Zoé');

    offline('input[name="email"]').value = 'zoe@example.com';
    offline('textarea[name="text"]').value = 'Are you open on Sunday?';
    offline('button[data-testid="offline-submit"]').click();
    await flush();
    expect(hub.calls.filter(([m]) => m === 'LeaveOfflineMessage')).toEqual([
      ['LeaveOfflineMessage', [{ name: 'Zoé', email: 'zoe@example.com', text: 'Are you open on Sunday?' }]],
    ]);
    expect(visible('[data-testid="offline-sent"]')).toBe(true);

    // Also after a reload (GetConversation), here in French.
    hub.handler = async (method) => (method === 'GetConversation' ? { ...outsideHours, conversationId: 'c3' } : []);
    const container = document.createElement('div');
    document.body.replaceChildren(container);
    mount(container, { siteKey: 'demo', hostOrigin: 'https://shop.test', lang: 'fr', t: getMessages('fr') }).start();
    await flush();
    // The hub URL names the widget's language: the server words refusals (e.g. rate limits) in it.
    expect(new URL(hub.url).searchParams.get('lang')).toBe('fr');
    expect($('[data-testid="chat-ended"]')?.textContent).toContain(
      'Nous sommes fermés pour le moment. Laissez-nous un message et nous vous répondrons par e-mail.',
    );
    expect(visible('form[data-testid="offline-form"]')).toBe(true);
  });

  it('renders system and automated messages as centered notices', async () => {
    hub.handler = async (method) =>
      method === 'GetConversation'
        ? { ...queued, messages: [msg(1, { authorKind: 'automated', authorName: null }), msg(2, { authorKind: 'system', authorName: null }), msg(3)] }
        : [];
    await startApp();
    const [automated, system, operator] = $$('[data-testid="message"]');
    expect(automated?.classList.contains('msg--automated')).toBe(true);
    expect(automated?.dataset.author).toBe('automated');
    expect(system?.classList.contains('msg--system')).toBe(true);
    expect(operator?.classList.contains('msg--operator')).toBe(true);
  });
});

describe('chat frame: operator workspace (typing, navigation, transcript)', () => {
  const assigned = {
    conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, endedReason: null, messages: [msg(1)],
  };
  const composer = () => $<HTMLTextAreaElement>('textarea[data-testid="composer"]')!;
  const typingCalls = () => hub.calls.filter(([m]) => m === 'Typing').map(([, a]) => a[0]);
  const pageCalls = () => hub.calls.filter(([m]) => m === 'PageChanged').map(([, a]) => a[0]);

  function type(value: string): void {
    composer().value = value;
    composer().dispatchEvent(new Event('input', { bubbles: true }));
  }

  function page(url: string, title: string): void {
    // Opened directly in the tests: window.parent === window, so the source is the window itself.
    window.dispatchEvent(new MessageEvent('message', {
      data: { type: 'chatdesk:page', url, title }, origin: 'https://shop.test', source: window,
    }));
  }

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('throttles Typing(draft) to one call per 300 ms with a trailing call, and sends "" when cleared or sent', async () => {
    hub.handler = async (method, args) => {
      if (method === 'GetConversation') return assigned;
      if (method === 'SendMessage') {
        const { clientMessageId, text } = args[0] as { clientMessageId: string; text: string };
        return msg(2, { clientMessageId, text, authorKind: 'visitor' });
      }
      return null;
    };
    await startApp();
    vi.useFakeTimers();

    type('h');
    expect(typingCalls()).toEqual(['h']); // first keystroke goes at once
    await vi.advanceTimersByTimeAsync(100);
    type('he');
    await vi.advanceTimersByTimeAsync(100);
    type('hel');
    expect(typingCalls()).toEqual(['h']);
    await vi.advanceTimersByTimeAsync(99);
    expect(typingCalls()).toEqual(['h']);
    await vi.advanceTimersByTimeAsync(1);
    expect(typingCalls()).toEqual(['h', 'hel']); // trailing call with the latest draft

    type('hell');
    await vi.advanceTimersByTimeAsync(299);
    expect(typingCalls()).toEqual(['h', 'hel']);
    await vi.advanceTimersByTimeAsync(1);
    expect(typingCalls()).toEqual(['h', 'hel', 'hell']);

    // Cleared composer: "" at once, pending trailing call dropped.
    type('hello');
    type('');
    expect(typingCalls()).toEqual(['h', 'hel', 'hell', '']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(typingCalls()).toEqual(['h', 'hel', 'hell', '']);

    // Sending: "" is the last call, the trailing draft is never sent.
    type('hi there');
    await vi.advanceTimersByTimeAsync(100);
    type('hi there!');
    composer().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(hub.calls.filter(([m]) => m === 'SendMessage')).toHaveLength(1);
    expect(typingCalls()).toEqual(['h', 'hel', 'hell', '', 'hi there', '']);
    expect(typingCalls().at(-1)).toBe('');
  });

  it('does not send Typing once the conversation has ended', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? { ...assigned, status: 'queued', operatorName: null } : null);
    await startApp();
    vi.useFakeTimers();
    type('a');
    await vi.advanceTimersByTimeAsync(50);
    type('ab'); // trailing call pending
    emit('ChatEnded', { conversationId: CONV, endedBy: 'operator' });
    await vi.advanceTimersByTimeAsync(1000);
    type('abc');
    expect(typingCalls()).toEqual(['a']);
  });

  it('shows "{name} is typing…" for 4 s after each OperatorTyping and hides it when the operator message arrives', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : null);
    await startApp();
    vi.useFakeTimers();
    expect(visible('[data-testid="operator-typing"]')).toBe(false);

    emit('OperatorTyping', { conversationId: 'other', operatorName: 'Mallory' });
    expect(visible('[data-testid="operator-typing"]')).toBe(false);

    emit('OperatorTyping', { conversationId: CONV, operatorName: '<i>Alice</i>' });
    expect(visible('[data-testid="operator-typing"]')).toBe(true);
    expect($('[data-testid="operator-typing"]')?.textContent).toBe('<i>Alice</i> is typing…');
    expect($('[data-testid="operator-typing"] i')).toBeNull();

    await vi.advanceTimersByTimeAsync(3000);
    emit('OperatorTyping', { conversationId: CONV, operatorName: 'Alice' }); // resets the 4 s
    await vi.advanceTimersByTimeAsync(3999);
    expect(visible('[data-testid="operator-typing"]')).toBe(true);
    expect($('[data-testid="operator-typing"]')?.textContent).toBe('Alice is typing…');
    await vi.advanceTimersByTimeAsync(1);
    expect(visible('[data-testid="operator-typing"]')).toBe(false);

    emit('OperatorTyping', { conversationId: CONV, operatorName: 'Alice' });
    expect(visible('[data-testid="operator-typing"]')).toBe(true);
    emit('MessageReceived', msg(2));
    expect(visible('[data-testid="operator-typing"]')).toBe(false);
  });

  it('shows the typing-preview notice when the site or the conversation says so', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : null);
    await startApp();
    expect(visible('[data-testid="typing-preview-notice"]')).toBe(false); // missing = false

    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { ...session, site: { ...session.site, typingPreview: true } })));
    await startApp();
    expect(visible('[data-testid="typing-preview-notice"]')).toBe(true);
    expect($('[data-testid="typing-preview-notice"]')?.textContent).toBe('The operator can see what you type before you send it.');

    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, session)));
    hub.handler = async (method) => (method === 'GetConversation' ? { ...assigned, typingPreview: true } : null);
    await startApp();
    expect(visible('[data-testid="typing-preview-notice"]')).toBe(true);

    emit('ChatEnded', { conversationId: CONV, endedBy: 'operator' });
    expect(visible('[data-testid="typing-preview-notice"]')).toBe(false);
  });

  it('sends PageChanged for page messages during an open chat only, deduped', async () => {
    let view: unknown = null;
    hub.handler = async (method) => {
      if (method === 'GetConversation') return view;
      if (method === 'StartChat') {
        view = { ...assigned, status: 'queued', operatorName: null, messages: [] };
        return view;
      }
      return null;
    };
    await startApp();
    page('https://shop.test/a', 'A'); // no chat yet
    expect(pageCalls()).toEqual([]);

    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();
    const start = hub.calls.find(([m]) => m === 'StartChat')![1][0];
    expect(start).toMatchObject({ pageUrl: 'https://shop.test/a', pageTitle: 'A' });
    expect(pageCalls()).toEqual([]); // StartChat carried it

    page('https://shop.test/a', 'A');
    page('https://shop.test/b', 'B');
    page('https://shop.test/b', 'B');
    emit('ChatAssigned', { conversationId: CONV, operatorName: 'Bob' });
    page('https://shop.test/b', 'B');
    page('https://shop.test/a', 'A');
    expect(pageCalls()).toEqual([{ url: 'https://shop.test/b', title: 'B' }, { url: 'https://shop.test/a', title: 'A' }]);

    emit('ChatEnded', { conversationId: CONV, endedBy: 'visitor' });
    page('https://shop.test/c', 'C');
    expect(pageCalls()).toHaveLength(2);
  });

  it('reports the page the loader sent before the open conversation was loaded', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : null);
    const container = document.createElement('div');
    document.body.replaceChildren(container);
    mount(container, { siteKey: 'demo', hostOrigin: 'https://shop.test', lang: 'en', t }).start();
    page('https://shop.test/next', 'Next');
    await flush();
    expect(pageCalls()).toEqual([{ url: 'https://shop.test/next', title: 'Next' }]);
    page('https://shop.test/next', 'Next');
    expect(pageCalls()).toHaveLength(1);
  });

  it('downloads the transcript as a text file (also for an ended chat)', async () => {
    hub.handler = async (method) => {
      if (method === 'GetConversation') return { ...assigned, status: 'ended', endedBy: 'operator' };
      if (method === 'GetTranscript') return { fileName: 'chat-2025-01-01.txt', text: 'Alice: <b>hi</b>\nYou: héllo' };
      return null;
    };
    await startApp();
    expect(visible('button[data-testid="download-transcript"]')).toBe(true);
    expect($('button[data-testid="download-transcript"]')?.textContent).toBe(t.downloadTranscript);

    const blobs: Blob[] = [];
    const created = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:https://chatdesk.test/1';
    });
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: Array<{ href: string; download: string; attached: boolean }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.getAttribute('href') ?? '', download: this.download, attached: this.isConnected });
    });
    vi.useFakeTimers();

    $<HTMLButtonElement>('button[data-testid="download-transcript"]')!.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.calls.filter(([m]) => m === 'GetTranscript')).toEqual([['GetTranscript', []]]);
    expect(created).toHaveBeenCalledTimes(1);
    expect(blobs[0]!.type).toBe('text/plain;charset=utf-8');
    expect(await blobs[0]!.text()).toBe('Alice: <b>hi</b>\nYou: héllo');
    expect(clicked).toEqual([{ href: 'blob:https://chatdesk.test/1', download: 'chat-2025-01-01.txt', attached: true }]);
    expect(document.querySelector('a[download]')).toBeNull(); // temporary link removed
    await vi.advanceTimersByTimeAsync(1000);
    expect(revoked).toHaveBeenCalledWith('blob:https://chatdesk.test/1');
  });

  it('hides "email me the transcript" when the site cannot send e-mail', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : null);
    await startApp();
    expect(visible('button[data-testid="download-transcript"]')).toBe(true);
    expect(visible('button[data-testid="email-transcript"]')).toBe(false);
  });

  it('emails the transcript to the address the visitor gives, and says so', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { ...session, site: { ...session.site, emailTranscript: true } })));
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : null);
    await startApp();
    expect(visible('[data-testid="email-transcript-form"]')).toBe(false);
    $<HTMLButtonElement>('button[data-testid="email-transcript"]')!.click();
    expect(visible('[data-testid="email-transcript-form"]')).toBe(true);
    const input = $<HTMLInputElement>('[data-testid="email-transcript-input"]')!;
    input.value = 'not an address';
    $<HTMLButtonElement>('[data-testid="email-transcript-send"]')!.click();
    await flush();
    expect(hub.calls.filter(([m]) => m === 'EmailTranscript')).toEqual([]);
    expect($('[data-testid="error"] .error-text')?.textContent).toBe(t.emailTranscriptInvalid);

    input.value = ' vera@example.com ';
    $<HTMLButtonElement>('[data-testid="email-transcript-send"]')!.click();
    await flush();
    expect(hub.calls.filter(([m]) => m === 'EmailTranscript')).toEqual([['EmailTranscript', [{ email: 'vera@example.com' }]]]);
    expect(visible('[data-testid="email-transcript-form"]')).toBe(false);
    expect($('[data-testid="email-transcript-status"]')?.textContent).toBe('The transcript is on its way to vera@example.com.');
  });

  it('shows the GetTranscript error', async () => {
    hub.handler = async (method) => {
      if (method === 'GetConversation') return assigned;
      if (method === 'GetTranscript') throw new Error("An unexpected error occurred invoking 'GetTranscript' on the server. HubException: No conversation");
      return null;
    };
    await startApp();
    const created = vi.spyOn(URL, 'createObjectURL');
    $<HTMLButtonElement>('button[data-testid="download-transcript"]')!.click();
    await flush();
    expect($('[data-testid="error"] .error-text')?.textContent).toBe('No conversation');
    expect(created).not.toHaveBeenCalled();
  });

  it('updates the operator name when a second ChatAssigned names another operator (transfer)', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : null);
    await startApp();
    expect($('[data-testid="operator-name"]')?.textContent).toBe('Alice');
    emit('OperatorTyping', { conversationId: CONV, operatorName: 'Alice' });

    emit('ChatAssigned', { conversationId: CONV, operatorName: 'Bob' });
    emit('MessageReceived', msg(2, { authorKind: 'system', authorName: null, text: 'The chat was transferred to Bob.' }));
    expect($('[data-testid="operator-name"]')?.textContent).toBe('Bob');
    expect($('[data-testid="chat-status"]')?.textContent).toBe('You are chatting with Bob');
    expect(visible('[data-testid="operator-typing"]')).toBe(false); // Alice's indicator is stale
    expect($$('[data-testid="message"]').at(-1)?.dataset.author).toBe('system');
  });
});

describe('chat frame: end-of-session survey', () => {
  const ALL = ['csat', 'nps', 'ces', 'resolved', 'comment'];
  const answered = {
    conversationId: CONV, status: 'ended', operatorName: 'Alice', endedBy: 'operator', endedReason: null,
    messages: [msg(1)], survey: { questions: ALL, submitted: false },
  };
  const form = (sel: string) => $<HTMLInputElement & HTMLTextAreaElement>(`form[data-testid="survey-form"] ${sel}`);
  const radio = (name: string, value: string) => form(`input[type="radio"][name="${name}"][value="${value}"]`)!;
  const submits = () => hub.calls.filter(([m]) => m === 'SubmitSurvey');

  it('shows the survey after a reload of an answered chat that ended, with accessible radio groups', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? answered : []);
    await startApp();
    expect(visible('form[data-testid="survey-form"]')).toBe(true);
    expect(visible('button[data-testid="new-chat"]')).toBe(true);
    expect($('form[data-testid="offline-form"]')).toBeNull();

    const values = (key: string) =>
      Array.from(document.querySelectorAll<HTMLInputElement>(`[data-testid="survey-${key}"] input[type="radio"]`)).map((r) => r.value);
    expect(values('csat')).toEqual(['1', '2', '3', '4', '5']);
    expect(values('nps')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(values('ces')).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(values('resolved')).toEqual(['yes', 'no']);
    for (const [key, legend] of [['csat', t.surveyCsat], ['nps', t.surveyNps], ['ces', t.surveyCes], ['resolved', t.surveyResolved]]) {
      const group = $(`[data-testid="survey-${key}"]`)!;
      expect(group.tagName).toBe('FIELDSET');
      expect(group.querySelector('legend')?.textContent).toBe(legend);
      for (const input of Array.from(group.querySelectorAll<HTMLInputElement>('input'))) {
        expect(input.name).toBe(key);
        expect(input.required).toBe(false);
        // Labelled: a <label for> wrapping the radio.
        expect(input.closest('label')?.getAttribute('for')).toBe(input.id);
      }
    }
    expect($('[data-testid="survey-ces"]')?.textContent).toContain('1 = very difficult, 7 = very easy');
    const comment = form('textarea[name="comment"]')!;
    expect(comment.maxLength).toBe(2000);
    expect(comment.required).toBe(false);
    expect(document.querySelector(`label[for="${comment.id}"]`)?.textContent).toBe(t.surveyComment);
    expect(visible('[data-testid="survey-submit"]')).toBe(true);
  });

  it("shows only the site's questions", async () => {
    hub.handler = async (method) =>
      method === 'GetConversation' ? { ...answered, survey: { questions: ['comment', 'csat', 'bogus'], submitted: false } } : [];
    await startApp();
    expect(visible('form[data-testid="survey-form"]')).toBe(true);
    expect(visible('[data-testid="survey-csat"]')).toBe(true);
    expect(form('textarea[name="comment"]')).not.toBeNull();
    expect($('[data-testid="survey-nps"]')).toBeNull();
    expect($('[data-testid="survey-ces"]')).toBeNull();
    expect($('[data-testid="survey-resolved"]')).toBeNull();
  });

  it.each([
    ['already submitted', { survey: { questions: ALL, submitted: true } }],
    ['no questions', { survey: { questions: [], submitted: false } }],
    ['no survey field', { survey: undefined }],
    ['missed: no_operator', { operatorName: null, endedBy: 'system', endedReason: 'no_operator', messages: [] }],
    ['missed: outside_hours', { operatorName: null, endedBy: 'system', endedReason: 'outside_hours', messages: [] }],
    ['never answered (left the queue)', { operatorName: null, endedBy: 'visitor', messages: [] }],
    ['still open', { status: 'assigned', endedBy: null }],
  ])('hides the survey: %s', async (_name, extra) => {
    hub.handler = async (method) => (method === 'GetConversation' ? { ...answered, ...extra } : []);
    await startApp();
    expect(visible('[data-testid="chat-status"]')).toBe(true);
    expect($('form[data-testid="survey-form"]')).toBeNull();
    expect($('[data-testid="survey-thanks"]')).toBeNull();
    if ('endedReason' in extra) expect(visible('form[data-testid="offline-form"]')).toBe(true);
  });

  it('shows the survey when the chat ends live (ChatEnded or EndChat), reading it again when it was not known', async () => {
    const open = { ...answered, status: 'assigned', endedBy: null };
    hub.handler = async (method) => (method === 'GetConversation' ? open : []);
    await startApp();
    expect($('form[data-testid="survey-form"]')).toBeNull();
    emit('ChatEnded', { conversationId: CONV, endedBy: 'operator' });
    expect(visible('form[data-testid="survey-form"]')).toBe(true);
    expect(hub.calls.filter(([m]) => m === 'GetConversation')).toHaveLength(1);

    // Survey not in the view while open: read once more after the end.
    const { survey: _none, ...withoutSurvey } = open;
    let view: unknown = { ...withoutSurvey, conversationId: 'c2' };
    hub.handler = async (method) => (method === 'GetConversation' ? view : []);
    await startApp();
    view = { ...answered, conversationId: 'c2', survey: { questions: ['resolved'], submitted: false } };
    $<HTMLButtonElement>('button[data-testid="end-chat"]')!.click();
    await flush();
    expect(hub.calls.filter(([m]) => m === 'EndChat')).toHaveLength(1);
    expect(visible('form[data-testid="survey-form"]')).toBe(true);
    expect(visible('[data-testid="survey-resolved"]')).toBe(true);
    expect($('[data-testid="survey-csat"]')).toBeNull();
  });

  it('submits only the answered questions, keeps the answers on error and thanks on success', async () => {
    let failWith: string | null = 'A survey was already submitted for this conversation.';
    let view: unknown = answered;
    hub.handler = async (method) => {
      if (method === 'GetConversation') return view;
      if (method === 'SubmitSurvey') {
        if (failWith) throw new Error(`An unexpected error occurred invoking 'SubmitSurvey' on the server. HubException: ${failWith}`);
        return null;
      }
      return [];
    };
    await startApp();
    radio('csat', '2').click();
    radio('csat', '4').click();
    radio('resolved', 'no').click();
    form('textarea[name="comment"]')!.value = '  Thanks <b>Alice</b>\nbye  ';
    form('button[data-testid="survey-submit"]')!.click();
    await flush();
    expect(submits()).toEqual([['SubmitSurvey', [{ csat: 4, resolved: false, comment: 'Thanks <b>Alice</b>\nbye' }]]]);

    // Error: shown as text, answers kept, no thanks.
    expect(visible('[data-testid="error"]')).toBe(true);
    expect($('[data-testid="error"] .error-text')?.textContent).toBe(failWith);
    expect(visible('form[data-testid="survey-form"]')).toBe(true);
    expect(radio('csat', '4').checked).toBe(true);
    expect(radio('resolved', 'no').checked).toBe(true);
    expect(form('textarea[name="comment"]')!.value).toBe('  Thanks <b>Alice</b>\nbye  ');
    expect($('[data-testid="survey-thanks"]')).toBeNull();

    failWith = null;
    radio('nps', '0').click();
    form('button[data-testid="survey-submit"]')!.click();
    await flush();
    expect(submits()).toHaveLength(2);
    expect(submits()[1]?.[1]).toEqual([{ csat: 4, nps: 0, resolved: false, comment: 'Thanks <b>Alice</b>\nbye' }]);
    expect($('form[data-testid="survey-form"]')).toBeNull();
    expect(visible('[data-testid="survey-thanks"]')).toBe(true);
    expect($('[data-testid="survey-thanks"]')?.textContent).toBe(t.surveyThanks);
    expect(visible('[data-testid="error"]')).toBe(false);

    // A reconnect reporting submitted: true keeps the thank-you.
    view = { ...answered, survey: { questions: ALL, submitted: true } };
    hub.conn!.reconnected.forEach((fn) => fn());
    await flush();
    expect(visible('[data-testid="survey-thanks"]')).toBe(true);
  });

  it('submits an empty survey as {} (every question optional) and refuses a comment over 2000 characters', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? answered : method === 'SubmitSurvey' ? null : []);
    await startApp();
    const comment = form('textarea[name="comment"]')!;
    comment.value = 'x'.repeat(2001); // maxlength stops typing; a paste via script still must not be sent
    form('button[data-testid="survey-submit"]')!.click();
    await flush();
    expect(submits()).toHaveLength(0);
    expect($('[data-testid="survey-error-comment"]')?.textContent).toBe(t.surveyCommentTooLong);

    comment.value = '   ';
    form('button[data-testid="survey-submit"]')!.click();
    await flush();
    expect(submits()).toEqual([['SubmitSurvey', [{}]]]);
    expect(visible('[data-testid="survey-thanks"]')).toBe(true);
  });

  it('starts with empty answers for the next conversation, in French too', async () => {
    hub.handler = async (method) => (method === 'GetConversation' ? answered : []);
    const container = document.createElement('div');
    document.body.replaceChildren(container);
    const fr = getMessages('fr');
    mount(container, { siteKey: 'demo', hostOrigin: 'https://shop.test', lang: 'fr', t: fr }).start();
    await flush();
    expect($('[data-testid="survey-csat"] legend')?.textContent).toBe(fr.surveyCsat);
    expect($('[data-testid="survey-submit"]')?.textContent).toBe(fr.surveySubmit);
    radio('csat', '5').click();
    hub.handler = async (method) => (method === 'GetConversation' ? { ...answered, conversationId: 'c9' } : []);
    hub.conn!.reconnected.forEach((fn) => fn());
    await flush();
    expect(visible('form[data-testid="survey-form"]')).toBe(true);
    expect(radio('csat', '5').checked).toBe(false);
  });
});

describe('files in the chat frame', () => {
  const FILE = { id: '0193f2a4-0000-7000-8000-000000000001', name: '<b>invoice</b>.pdf', size: 2048, contentType: 'application/pdf' };
  const files = { maxBytes: 1024 * 1024, allowedTypes: ['pdf', 'png'] };

  async function startChatWith(messages: unknown[]): Promise<void> {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { ...session, site: { ...session.site, files } })));
    hub.handler = async (method) =>
      method === 'GetConversation'
        ? { conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, endedReason: null, messages }
        : null;
    await startApp();
  }

  it('shows a shared file as a download button, as text, and fetches it with the visitor token', async () => {
    await startChatWith([msg(1, { text: FILE.name, file: FILE })]);
    const link = $<HTMLButtonElement>('[data-testid="file-link"]')!;
    expect(link.textContent).toBe('<b>invoice</b>.pdf2 KB');
    expect(link.querySelector('b')).toBeNull();
    expect($<HTMLInputElement>('[data-testid="file-input"]')!.accept).toBe('.pdf,.png');

    const fetchMock = vi.fn(async () => ({ ok: false, status: 404, json: async () => ({ code: 'not_found' }) }));
    vi.stubGlobal('fetch', fetchMock);
    link.click();
    await flush();
    const [url, init] = fetchMock.mock.calls[0] as unknown as [URL, RequestInit];
    expect(url.toString()).toBe(`https://chatdesk.test/api/files/visitor/${FILE.id}`);
    expect(init.headers).toEqual({ Authorization: 'Bearer tok-1' });
    expect($('[data-testid="error"] .error-text')?.textContent).toBe(`${FILE.name} is no longer available.`);
  });

  it('refuses a file the site does not accept before sending anything', async () => {
    await startChatWith([]);
    const input = $<HTMLInputElement>('[data-testid="file-input"]')!;
    Object.defineProperty(input, 'files', { value: [new File(['MZ'], 'setup.exe')], configurable: true });
    input.dispatchEvent(new Event('change'));
    await flush();
    expect($('[data-testid="error"] .error-text')?.textContent).toBe(
      'setup.exe cannot be sent: this type of file is not accepted. Allowed: .pdf, .png.',
    );
    expect($$('[data-testid="upload"]')).toHaveLength(0);
  });
});

describe('chat frame: closed site and site languages (issue 11)', () => {
  const fr = getMessages('fr');
  const closedSession = { ...session, site: { ...session.site, closed: true } };
  const assigned = { conversationId: CONV, status: 'assigned', operatorName: 'Alice', endedBy: null, endedReason: null, messages: [msg(1)] };

  /** Answers POST /api/widget/session with each given body in turn (the last one again after that). */
  function sessionsInTurn(...bodies: unknown[]): Array<{ language: string }> {
    const requests: Array<{ language: string }> = [];
    vi.stubGlobal('fetch', vi.fn(async (_url: unknown, init: { body: string }) => {
      requests.push(JSON.parse(init.body) as { language: string });
      return jsonResponse(200, bodies[Math.min(requests.length, bodies.length) - 1]);
    }));
    return requests;
  }

  async function startIn(lang: 'en' | 'fr'): Promise<void> {
    const container = document.createElement('div');
    document.body.replaceChildren(container);
    mount(container, { siteKey: 'demo', hostOrigin: 'https://shop.test', lang, t: getMessages(lang) }).start();
    await flush();
  }

  it('shows the closed state instead of the pre-chat form', async () => {
    sessionsInTurn(closedSession);
    hub.handler = async (method) => (method === 'GetConversation' ? null : []);
    await startApp();
    expect(visible('[data-testid="chat-closed"]')).toBe(true);
    expect($('[data-testid="chat-closed"]')?.textContent).toBe(t.chatClosedTitle + t.chatClosedText);
    expect($('form[data-testid="prechat-form"]')).toBeNull();
    expect($('[data-testid="prechat-submit"]')).toBeNull();
    expect(visible('[data-testid="error"]')).toBe(false);
  });

  it('shows the closed state in French', async () => {
    sessionsInTurn({ ...closedSession, site: { ...closedSession.site, languages: ['fr', 'en'] } });
    hub.handler = async (method) => (method === 'GetConversation' ? null : []);
    await startIn('fr');
    expect($('[data-testid="chat-closed"] h2')?.textContent).toBe('Le chat est fermé');
    expect($('[data-testid="chat-closed"]')?.textContent).toContain(fr.chatClosedText);
  });

  it('keeps an ongoing conversation on screen read-only, and an ended one without a new chat', async () => {
    sessionsInTurn(closedSession);
    hub.handler = async (method) => (method === 'GetConversation' ? assigned : []);
    await startApp();
    expect($$('[data-testid="message-text"]').map((m) => m.textContent)).toEqual(['text 1']);
    expect(visible('[data-testid="chat-closed"]')).toBe(true);
    expect(visible('textarea[data-testid="composer"]')).toBe(false);
    expect($<HTMLTextAreaElement>('textarea[data-testid="composer"]')!.disabled).toBe(true);
    expect(visible('[data-testid="end-chat"]')).toBe(false);
    expect(visible('[data-testid="download-transcript"]')).toBe(true);

    // Operator messages still arrive; nothing can be sent back.
    emit('MessageReceived', msg(2));
    expect($$('[data-testid="message-text"]').map((m) => m.textContent)).toEqual(['text 1', 'text 2']);
    $<HTMLButtonElement>('button[data-testid="send"]')!.click();
    await flush();
    expect(hub.calls.some(([m]) => m === 'SendMessage')).toBe(false);

    emit('ChatEnded', { conversationId: CONV, endedBy: 'operator' });
    expect(visible('[data-testid="chat-ended"]')).toBe(true);
    expect($$('[data-testid="message"]')).toHaveLength(2);
    expect(visible('[data-testid="chat-closed"]')).toBe(true);
    expect(visible('button[data-testid="new-chat"]')).toBe(false);
    expect($('form[data-testid="prechat-form"]')).toBeNull();
  });

  it('offers neither the offline form nor the survey of an ended conversation', async () => {
    sessionsInTurn(closedSession);
    const noOperator = { ...assigned, status: 'ended', operatorName: null, endedBy: 'system', endedReason: 'no_operator', messages: [] };
    hub.handler = async (method) => (method === 'GetConversation' ? noOperator : []);
    await startApp();
    expect($('[data-testid="chat-ended"]')?.textContent).toContain(t.endedBySystem);
    expect($('[data-testid="chat-ended"]')?.textContent).not.toContain(t.noOperator);
    expect($('form[data-testid="offline-form"]')).toBeNull();

    const surveyed = { ...assigned, status: 'ended', endedBy: 'operator', survey: { questions: ['csat'], submitted: false } };
    hub.handler = async (method) => (method === 'GetConversation' ? surveyed : []);
    await startApp();
    expect(visible('[data-testid="chat-ended"]')).toBe(true);
    expect($('form[data-testid="survey-form"]')).toBeNull();
    expect(visible('[data-testid="chat-closed"]')).toBe(true);
  });

  it('StartChat refused because the site closed meanwhile: shows the closed state and keeps what was typed', async () => {
    const requests = sessionsInTurn(session, closedSession);
    hub.handler = async (method) => {
      if (method === 'GetConversation') return null;
      if (method === 'StartChat') throw new Error("An unexpected error occurred invoking 'StartChat' on the server. HubException: Chat is closed");
      return [];
    };
    await startApp();
    const name = $<HTMLInputElement>('input[name="name"]')!;
    const email = $<HTMLInputElement>('input[name="email"]')!;
    name.value = 'Zoé';
    email.value = 'z@example.com';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();

    expect(requests).toHaveLength(2); // the session is asked again whether the site closed
    expect(visible('[data-testid="chat-closed"]')).toBe(true);
    expect($('form[data-testid="prechat-form"]')).toBeNull();
    expect(visible('[data-testid="error"]')).toBe(false);
    expect([name.value, email.value]).toEqual(['Zoé', 'z@example.com']);
  });

  it('StartChat refused for another reason: shows the error and keeps the form', async () => {
    const requests = sessionsInTurn(session);
    hub.handler = async (method) => {
      if (method === 'GetConversation') return null;
      if (method === 'StartChat') throw new Error("An unexpected error occurred invoking 'StartChat' on the server. HubException: Too many chats");
      return [];
    };
    await startApp();
    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();

    expect(requests).toHaveLength(2);
    expect($('[data-testid="error"]')?.textContent).toContain('Too many chats');
    expect(visible('form[data-testid="prechat-form"]')).toBe(true);
    expect($<HTMLInputElement>('input[name="name"]')!.value).toBe('Zoé');
    expect($('[data-testid="chat-closed"]')).toBeNull();
  });

  it("falls back to the site's default language when the visitor's is not offered", async () => {
    const englishOnly = { ...session, site: { ...session.site, languages: ['en'] } };
    const requests = sessionsInTurn(englishOnly);
    let startRequest: unknown = null;
    hub.handler = async (method, args) => {
      if (method === 'GetConversation') return null;
      if (method === 'StartChat') {
        startRequest = args[0];
        return { conversationId: CONV, status: 'queued', operatorName: null, endedBy: null, messages: [] };
      }
      return [];
    };
    await startIn('fr');
    // Asked again in English, so the topic labels come in English too.
    expect(requests.map((r) => r.language)).toEqual(['fr', 'en']);
    expect(document.documentElement.lang).toBe('en');
    expect($('[data-testid="prechat-submit"]')?.textContent).toBe(t.startChat);
    expect($('form[data-testid="prechat-form"] .intro')?.textContent).toBe(t.prechatIntro);
    expect($$('[data-testid="prechat-form"]')).toHaveLength(1);
    expect(hub.calls.filter(([m]) => m === 'GetConversation')).toHaveLength(1);

    $<HTMLInputElement>('input[name="name"]')!.value = 'Zoé';
    $<HTMLSelectElement>('select[name="topic"]')!.value = 'sales';
    $<HTMLButtonElement>('button[data-testid="prechat-submit"]')!.click();
    await flush();
    expect(startRequest).toMatchObject({ language: 'en' });
    expect($('[data-testid="chat-status"]')?.textContent).toBe(t.statusQueued);
  });

  it("keeps the visitor's language when the site offers it, and when an older server sends no languages", async () => {
    const requests = sessionsInTurn({ ...session, site: { ...session.site, languages: ['en', 'fr'] } });
    hub.handler = async (method) => (method === 'GetConversation' ? null : []);
    await startIn('fr');
    expect(requests.map((r) => r.language)).toEqual(['fr']);
    expect(document.documentElement.lang).toBe('fr');
    expect($('[data-testid="prechat-submit"]')?.textContent).toBe(fr.startChat);

    const olderServer = sessionsInTurn(session);
    await startIn('fr');
    expect(olderServer.map((r) => r.language)).toEqual(['fr']);
    expect($('[data-testid="prechat-submit"]')?.textContent).toBe(fr.startChat);
    expect($('[data-testid="chat-closed"]')).toBeNull();
  });
});
