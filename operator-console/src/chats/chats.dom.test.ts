// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChatDetail,
  ChatSummary,
  MessageDto,
  OperatorHub,
  OperatorHubEvents,
  OperatorHubMethods,
} from '../shared/contract';
import { createChats, type ChatsFeature } from './index';

type Impl = { [M in keyof OperatorHubMethods]?: (...args: OperatorHubMethods[M]['args']) => Promise<OperatorHubMethods[M]['result']> };

function fakeHub(impl: Impl) {
  const handlers = new Map<string, (payload: never) => void>();
  const calls: { method: string; args: unknown[] }[] = [];
  const hub: OperatorHub = {
    invoke(method, ...args) {
      calls.push({ method, args });
      const fn = impl[method] as ((...a: unknown[]) => Promise<never>) | undefined;
      return fn ? fn(...args) : Promise.reject(new Error(`no fake for ${method}`));
    },
    on(event, handler) {
      handlers.set(event, handler as (payload: never) => void);
    },
  };
  const emit = <E extends keyof OperatorHubEvents>(event: E, payload: OperatorHubEvents[E]) =>
    (handlers.get(event) as ((p: OperatorHubEvents[E]) => void) | undefined)?.(payload);
  return { hub, calls, emit };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function message(sequence: number, authorKind: MessageDto['authorKind'] = 'visitor', text = `m${sequence}`): MessageDto {
  return { conversationId: 'c1', sequence, clientMessageId: `cm-${sequence}`, authorKind, authorName: null, text, sentAt: '2025-01-01T10:00:00Z' };
}

const summary: ChatSummary = {
  conversationId: 'c1',
  visitorName: '<img src=x onerror=alert(1)>',
  topic: 'billing',
  status: 'assigned',
  requestedAt: '2025-01-01T09:59:00Z',
  lastMessage: message(2),
};

const detail: ChatDetail = {
  ...summary,
  visitorEmail: 'v@example.com',
  pageUrl: 'javascript:alert(1)',
  pageTitle: 'Pricing',
  language: 'fr',
  messages: [message(1), message(2)],
};

let chats: ChatsFeature;
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];

beforeEach(() => {
  localStorage.clear();
  document.body.replaceChildren();
});
afterEach(() => chats.dispose());

function mount(impl: Impl) {
  const fake = fakeHub(impl);
  chats = createChats(fake.hub, { onActivity: () => undefined });
  document.body.append(chats.sidebar, chats.pane);
  return fake;
}

describe('chats feature (DOM)', () => {
  it('lists chats with unread counts and renders untrusted text as text', async () => {
    mount({ GetChat: async () => detail });
    await chats.sync([summary]);
    const item = $('[data-testid="chat-item"]');
    expect(item?.dataset.conversationId).toBe('c1');
    expect($('[data-testid="unread"]')?.textContent).toBe('1');
    expect(document.querySelector('img')).toBeNull();

    item?.click();
    await flush();
    expect($('[data-testid="visitor-name"]')?.textContent).toBe(summary.visitorName);
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2']);
    expect($('[data-testid="unread"]')?.textContent).toBe('0');
    expect(document.querySelector('a')).toBeNull();
    expect($('.chat-details .url')?.textContent).toBe('javascript:alert(1)');
  });

  it('sends with a pending message replaced by the server message', async () => {
    let resolveSend: (m: MessageDto) => void = () => undefined;
    const fake = mount({
      GetChat: async () => detail,
      SendMessage: (_id, req) => new Promise((resolve) => (resolveSend = () => resolve({ ...message(3, 'operator', req.text), clientMessageId: req.clientMessageId }))),
    });
    await chats.sync([summary]);
    $('[data-testid="chat-item"]')?.click();
    await flush();

    const composer = $('[data-testid="composer"]') as HTMLTextAreaElement;
    composer.value = 'Hello\nthere';
    composer.dispatchEvent(new Event('input'));
    composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect($('[data-state="sending"]')?.textContent).toContain('Hello\nthere');
    expect(composer.value).toBe('');

    resolveSend(message(3));
    await flush();
    expect($('[data-state="sending"]')).toBeNull();
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2', '3']);
    expect(fake.calls.filter((c) => c.method === 'SendMessage')).toHaveLength(1);
  });

  it('keeps the text on error and retries with the same clientMessageId', async () => {
    let fail = true;
    const fake = mount({
      GetChat: async () => detail,
      SendMessage: async (_id, req) => {
        if (fail) throw new Error("An unexpected error occurred invoking 'SendMessage' on the server. HubException: Too fast");
        return { ...message(3, 'operator', req.text), clientMessageId: req.clientMessageId };
      },
    });
    await chats.sync([summary]);
    $('[data-testid="chat-item"]')?.click();
    await flush();
    const composer = $('[data-testid="composer"]') as HTMLTextAreaElement;
    composer.value = 'retry me';
    composer.dispatchEvent(new Event('input'));
    ($('[data-testid="send"]') as HTMLButtonElement).click();
    await flush();
    expect($('[data-testid="error"]')?.textContent).toBe('Too fast');
    expect($('[data-testid="error"]')?.hidden).toBe(false);
    expect(composer.value).toBe('retry me');

    fail = false;
    ($('[data-testid="send"]') as HTMLButtonElement).click();
    await flush();
    const ids = fake.calls.filter((c) => c.method === 'SendMessage').map((c) => (c.args[1] as { clientMessageId: string }).clientMessageId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect($('[data-testid="error"]')?.hidden).toBe(true);
  });

  it('resumes after reconnect without duplicates or gaps', async () => {
    const fake = mount({
      GetChat: async () => detail,
      GetMessagesAfter: async (_id, after) => [message(2), message(3), message(4)].filter((m) => m.sequence > after),
    });
    await chats.sync([summary]);
    $('[data-testid="chat-item"]')?.click();
    await flush();
    fake.emit('MessageReceived', message(3));
    await chats.sync([{ ...summary, lastMessage: message(4) }]);
    expect(fake.calls.find((c) => c.method === 'GetMessagesAfter')?.args).toEqual(['c1', 4]);
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2', '3', '4']);
  });

  it('does not skip a gap when the summary already knows a later message', async () => {
    const fake = mount({
      GetChat: async () => detail,
      GetMessagesAfter: async (_id, after) => [message(3), message(4), message(5)].filter((m) => m.sequence > after),
    });
    await chats.sync([summary]);
    $('[data-testid="chat-item"]')?.click();
    await flush();
    await chats.sync([{ ...summary, lastMessage: message(5) }]);
    expect(fake.calls.find((c) => c.method === 'GetMessagesAfter')?.args).toEqual(['c1', 2]);
    expect($$('[data-testid="message"]').map((m) => m.dataset.seq)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('shows ended state and disables the composer', async () => {
    const fake = mount({ GetChat: async () => detail });
    await chats.sync([summary]);
    $('[data-testid="chat-item"]')?.click();
    await flush();
    fake.emit('ChatEnded', { conversationId: 'c1', endedBy: 'visitor' });
    expect($('[data-testid="chat-ended"]')?.hidden).toBe(false);
    expect(($('[data-testid="composer"]') as HTMLTextAreaElement).disabled).toBe(true);
    expect($('[data-testid="chat-item"]')?.dataset.status).toBe('ended');
  });

  it('adds chats from ChatAssigned and moves with Alt+Arrow keys', async () => {
    const fake = mount({ GetChat: async (id) => ({ ...detail, conversationId: id, messages: [] }) });
    await chats.sync([summary]);
    fake.emit('ChatAssigned', { ...summary, conversationId: 'c2', visitorName: 'Bob', requestedAt: '2025-01-01T10:01:00Z', lastMessage: null });
    expect($$('[data-testid="chat-item"]').map((i) => i.dataset.conversationId)).toEqual(['c1', 'c2']);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', altKey: true }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', altKey: true }));
    expect($('[aria-current="true"]')?.dataset.conversationId).toBe('c2');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true }));
    expect($('[aria-current="true"]')?.dataset.conversationId).toBe('c1');
  });
});
