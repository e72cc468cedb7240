// @vitest-environment happy-dom
/**
 * Integration tests of the chat workspace: the chats feature with the workspace features plugged in,
 * wired like main.ts does (features never import each other; only this level sees them all).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAnswerSuggestions } from './answers';
import { createChats, type ChatsFeature } from './chats';
import { createVisitorContext } from './context';
import { createInvite } from './invite';
import { createNotes } from './notes';
import type { ChatDetail, ChatSummary, MessageDto, NoteDto, TransferTargets } from './shared/contract';
import { fakeHub, hubException, type FakeHubImpl } from './shared/testing/fakeHub';
import { createTransfer } from './transfer';
import { createTyping, type TypingFeature } from './typing';
import { createWrapUp } from './wrapup';

const NOW = Date.parse('2025-01-01T10:00:00Z');
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

function message(sequence: number, authorKind: MessageDto['authorKind'] = 'visitor', sentAt = at(-120 + sequence), conversationId = 'c1'): MessageDto {
  return { conversationId, sequence, clientMessageId: `cm-${conversationId}-${sequence}`, authorKind, authorName: null, text: `m${sequence}`, sentAt };
}

const summary = (overrides: Partial<ChatSummary> = {}): ChatSummary => ({
  conversationId: 'c1',
  visitorName: 'Ann',
  topic: 'billing',
  status: 'assigned',
  requestedAt: at(-300),
  lastMessage: null,
  wrapUp: null,
  wrapUpDueAt: null,
  ...overrides,
});

const detail = (overrides: Partial<ChatDetail> = {}): ChatDetail => ({
  ...summary(),
  visitorEmail: 'ann@example.com',
  pageUrl: 'https://shop.example/pricing',
  pageTitle: 'Pricing',
  language: 'en',
  messages: [message(1), message(2, 'operator')],
  notes: [],
  participants: [
    { id: 'me', displayName: 'Me', role: 'owner' },
  ],
  context: null,
  previousConversations: [],
  ...overrides,
});

const targets: TransferTargets = {
  operators: [
    { id: 'op2', displayName: 'Bob <b>', status: 'online', activeChats: 1, maxConcurrentChats: 3 },
    { id: 'op3', displayName: 'Cid', status: 'online', activeChats: 0, maxConcurrentChats: 2 },
  ],
  skills: [{ key: 'billing', name: 'Billing' }],
};

let clock = NOW;
let chats: ChatsFeature | undefined;
let typing: TypingFeature | undefined;
let disposers: (() => void)[] = [];
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];
const composer = () => $('[data-testid="composer"]') as HTMLTextAreaElement;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  clock = NOW;
  localStorage.clear();
  document.body.replaceChildren();
});

afterEach(() => {
  chats?.dispose();
  typing?.dispose();
  for (const dispose of disposers) dispose();
  disposers = [];
  chats = undefined;
  typing = undefined;
  vi.useRealTimers();
});

/** Lets promises and timers (fake) run. */
const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

async function mount(impl: FakeHubImpl, chatList: ChatSummary[] = [summary()], operatorId = 'me') {
  const fake = fakeHub(impl);
  chats = createChats(fake.hub, { onActivity: () => undefined, now: () => clock });
  const ws = chats.workspace;
  createAnswerSuggestions(fake.hub, ws);
  typing = createTyping(fake.hub, ws, { now: () => clock });
  createTransfer(fake.hub, ws);
  createInvite(fake.hub, ws);
  createNotes(fake.hub, ws);
  const wrapUp = createWrapUp(fake.hub, ws, { now: () => clock });
  disposers.push(() => wrapUp.dispose());
  const context = createVisitorContext(fake.hub, ws);
  document.body.append(chats.sidebar, chats.pane, context.element);
  await chats.sync(chatList, operatorId);
  return fake;
}

async function open(id = 'c1') {
  $(`[data-testid="chat-item"][data-conversation-id="${id}"]`)?.click();
  await settle();
}

function type(text: string, caret = text.length) {
  const c = composer();
  c.value = text;
  c.setSelectionRange(caret, caret);
  c.dispatchEvent(new Event('input', { bubbles: true }));
}

function key(k: string, init: KeyboardEventInit = {}) {
  const event = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init });
  composer().dispatchEvent(event);
  return event;
}

describe('answer suggestions in the composer', () => {
  const suggestions = [
    { id: 'a1', title: 'Refund policy', shortcut: '#refund', text: 'Hi Ann, refunds take 5 days.', category: 'billing' },
    { id: 'a2', title: 'Refund status', shortcut: '#refund-status', text: 'Let me check your refund, Ann.', category: null },
  ];

  it("opens on '#ref' with SuggestAnswers (debounced) and shows shortcut, title and preview", async () => {
    const fake = await mount({ GetChat: async () => detail(), SuggestAnswers: async () => suggestions });
    await open();
    type('Hello #r');
    type('Hello #re');
    type('Hello #ref');
    expect(fake.count('SuggestAnswers')).toBe(0); // debounced
    await settle(150);
    expect(fake.calls.filter((c) => c.method === 'SuggestAnswers').map((c) => c.args)).toEqual([['c1', 'ref']]);
    const list = $('[data-testid="answer-suggestions"]');
    expect(list?.hidden).toBe(false);
    const items = $$('[data-testid="answer-suggestion"]');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('#refund');
    expect(items[0]?.textContent).toContain('Refund policy');
    expect(items[0]?.textContent).toContain('refunds take 5 days');
    expect(items[0]?.getAttribute('aria-selected')).toBe('true');
  });

  it('Tab inserts the selected suggestion text in place of the token and calls AnswerUsed', async () => {
    const fake = await mount({ GetChat: async () => detail(), SuggestAnswers: async () => suggestions, AnswerUsed: async () => undefined });
    await open();
    type('Hello #ref');
    await settle(150);
    key('ArrowDown');
    expect($$('[data-testid="answer-suggestion"]')[1]?.getAttribute('aria-selected')).toBe('true');
    const tab = key('Tab');
    expect(tab.defaultPrevented).toBe(true);
    expect(composer().value).toBe('Hello Let me check your refund, Ann.');
    expect($('[data-testid="answer-suggestions"]')?.hidden).toBe(true);
    await settle();
    expect(fake.calls.filter((c) => c.method === 'AnswerUsed').map((c) => c.args)).toEqual([['a2']]);
    expect(fake.count('SendMessage')).toBe(0);
  });

  it('Enter with the list open inserts instead of sending; the next Enter sends', async () => {
    const fake = await mount({
      GetChat: async () => detail(),
      SuggestAnswers: async () => suggestions,
      AnswerUsed: async () => undefined,
      SendMessage: async (_id, req) => ({ ...message(3, 'operator'), text: req.text, clientMessageId: req.clientMessageId }),
    });
    await open();
    type('/refund');
    await settle(150);
    key('Enter');
    await settle();
    expect(fake.count('SendMessage')).toBe(0);
    expect(composer().value).toBe('Hi Ann, refunds take 5 days.');
    key('Enter');
    await settle();
    expect(fake.calls.filter((c) => c.method === 'SendMessage').map((c) => (c.args[1] as { text: string }).text)).toEqual([
      'Hi Ann, refunds take 5 days.',
    ]);
  });

  it('Escape closes; the latest request wins; a token inside the text is replaced in place', async () => {
    const resolvers: ((value: typeof suggestions) => void)[] = [];
    const fake = await mount({
      GetChat: async () => detail(),
      SuggestAnswers: () => new Promise((resolve) => resolvers.push(resolve)),
      AnswerUsed: async () => undefined,
    });
    await open();
    type('Hi #re');
    await settle(150);
    type('Hi #refund-s');
    await settle(150);
    resolvers[1]?.([suggestions[1]!]);
    await settle();
    resolvers[0]?.(suggestions); // stale answer: ignored
    await settle();
    expect($$('[data-testid="answer-suggestion"]').map((i) => i.dataset.answerId)).toEqual(['a2']);
    key('Escape');
    expect($('[data-testid="answer-suggestions"]')?.hidden).toBe(true);

    type('Hi #refund-s thanks', 'Hi #ref'.length);
    await settle(150);
    resolvers[2]?.(suggestions);
    await settle();
    key('Tab');
    expect(composer().value).toBe('Hi Hi Ann, refunds take 5 days. thanks');
    expect(fake.count('SuggestAnswers')).toBe(3);
  });

  it('does not open for a word that merely contains # or /', async () => {
    const fake = await mount({ GetChat: async () => detail(), SuggestAnswers: async () => suggestions });
    await open();
    type('see https://x.example/a');
    type('issue a#1');
    await settle(200);
    expect(fake.count('SuggestAnswers')).toBe(0);
  });
});

describe('typing', () => {
  it("shows the visitor's draft as text and hides it after 5 s without an update", async () => {
    const fake = await mount({ GetChat: async () => detail() });
    await open();
    const draft = () => $('[data-testid="visitor-draft"]')!;
    expect(draft().hidden).toBe(true);
    fake.emit('VisitorTyping', { conversationId: 'c1', draft: '<img src=x onerror=alert(1)>', at: at(0) });
    expect(draft().hidden).toBe(false);
    expect(draft().textContent).toBe('<img src=x onerror=alert(1)>');
    expect(document.querySelector('img')).toBeNull();
    expect($('[data-testid="typing-indicator"]')).not.toBeNull();

    await settle(4000);
    fake.emit('VisitorTyping', { conversationId: 'c1', draft: 'Hello there', at: at(4) });
    await settle(4000);
    expect(draft().hidden).toBe(false); // 8 s after the first, 4 s after the last update
    expect(draft().textContent).toBe('Hello there');
    await settle(1100);
    expect(draft().hidden).toBe(true);
    expect($('[data-testid="typing-indicator"]')).toBeNull();
  });

  it('hides on an empty draft, says "is typing" for null, keeps the last 1,000 characters', async () => {
    const fake = await mount({ GetChat: async () => detail() });
    await open();
    const draft = () => $('[data-testid="visitor-draft"]')!;
    fake.emit('VisitorTyping', { conversationId: 'c1', draft: null, at: at(0) });
    expect(draft().hidden).toBe(false);
    expect(draft().textContent).toBe('Visitor is typing…');
    fake.emit('VisitorTyping', { conversationId: 'c1', draft: '', at: at(1) });
    expect(draft().hidden).toBe(true);
    fake.emit('VisitorTyping', { conversationId: 'c1', draft: `${'a'.repeat(500)}${'b'.repeat(1000)}`, at: at(2) });
    expect(draft().textContent).toBe('b'.repeat(1000));
  });

  it("shows another chat's typing only on its list item", async () => {
    const fake = await mount({ GetChat: async (id) => detail({ conversationId: id }) }, [
      summary(),
      summary({ conversationId: 'c2', visitorName: 'Bob', requestedAt: at(-200) }),
    ]);
    await open('c1');
    fake.emit('VisitorTyping', { conversationId: 'c2', draft: 'secret', at: at(0) });
    expect($('[data-testid="visitor-draft"]')?.hidden).toBe(true);
    expect($('[data-conversation-id="c2"] [data-testid="typing-indicator"]')).not.toBeNull();
    expect($('[data-conversation-id="c1"] [data-testid="typing-indicator"]')).toBeNull();
  });

  it('calls Typing at most once per 2 s while the operator types', async () => {
    const fake = await mount({ GetChat: async () => detail(), Typing: async () => undefined, SuggestAnswers: async () => [] });
    await open();
    type('H');
    type('He');
    type('Hel');
    expect(fake.calls.filter((c) => c.method === 'Typing').map((c) => c.args)).toEqual([['c1']]);
    clock += 2000;
    type('Hell');
    expect(fake.count('Typing')).toBe(2);
  });
});

describe('transfer', () => {
  it('opens the dialog from GetTransferTargets and calls Transfer with the chosen skill and note', async () => {
    const fake = await mount({ GetChat: async () => detail(), GetTransferTargets: async () => targets, Transfer: async () => undefined });
    await open();
    $('[data-testid="transfer"]')?.click();
    await settle();
    const dialog = $('[data-testid="transfer-dialog"]');
    expect(dialog?.closest('.dialog-backdrop')?.hasAttribute('hidden')).toBe(false);
    expect(fake.calls.find((c) => c.method === 'GetTransferTargets')?.args).toEqual(['c1']);
    expect($$('[data-testid="transfer-operator"]').map((i) => (i as HTMLInputElement).value)).toEqual(['op2', 'op3']);
    expect(dialog?.textContent).toContain('Bob <b>');
    expect(document.querySelector('b')).toBeNull();

    ($('[data-testid="transfer-skill"]') as HTMLInputElement).click();
    (dialog?.querySelector('textarea[name="note"]') as HTMLTextAreaElement).value = '  VIP customer  ';
    $('[data-testid="transfer-confirm"]')?.click();
    await settle();
    expect(fake.calls.find((c) => c.method === 'Transfer')?.args).toEqual(['c1', { toSkill: 'billing', note: 'VIP customer' }]);
    expect(dialog?.closest('.dialog-backdrop')?.hasAttribute('hidden')).toBe(true);
    // Kept visible, read-only, marked "Transferred".
    expect($('[data-testid="chat-item"]')?.dataset.closed).toBe('transferred');
    expect($('[data-testid="chat-item-transferred"]')).not.toBeNull();
    expect(composer().disabled).toBe(true);
    expect($('[data-testid="transfer"]')?.hidden).toBe(true);
  });

  it('transfers to an operator without a note and shows errors in the dialog', async () => {
    let fail = true;
    const fake = await mount({
      GetChat: async () => detail(),
      GetTransferTargets: async () => targets,
      Transfer: async () => {
        if (fail) throw hubException('Transfer', 'Bob has no free slot.');
      },
    });
    await open();
    $('[data-testid="transfer"]')?.click();
    await settle();
    $('[data-testid="transfer-confirm"]')?.click();
    expect($('[data-testid="transfer-error"]')?.textContent).toBe('Choose an operator or a team.');
    expect(fake.count('Transfer')).toBe(0);

    ($$('[data-testid="transfer-operator"]')[0] as HTMLInputElement).click();
    $('[data-testid="transfer-confirm"]')?.click();
    await settle();
    expect(fake.calls.find((c) => c.method === 'Transfer')?.args).toEqual(['c1', { toOperatorId: 'op2' }]);
    expect($('[data-testid="transfer-error"]')?.textContent).toBe('Bob has no free slot.');
    expect($('[data-testid="transfer-error"]')?.hidden).toBe(false);
    expect($('[data-testid="chat-item"]')?.dataset.closed).toBeUndefined();

    fail = false;
    $('[data-testid="transfer-confirm"]')?.click();
    await settle();
    expect($('[data-testid="chat-item"]')?.dataset.closed).toBe('transferred');
  });

  it('"ChatTransferredAway" makes the chat read-only', async () => {
    const fake = await mount({ GetChat: async () => detail() });
    await open();
    fake.emit('ChatTransferredAway', { conversationId: 'c1' });
    expect($('[data-testid="chat-item"]')?.dataset.closed).toBe('transferred');
    expect(composer().disabled).toBe(true);
    expect($('[data-testid="chat-ended"]')?.textContent).toContain('transferred');
  });
});

describe('invite and leave', () => {
  it('invites an operator and shows the participants after the reload', async () => {
    let participants = detail().participants!;
    const fake = await mount({
      GetChat: async () => detail({ participants }),
      GetTransferTargets: async () => targets,
      Invite: async (_id, operatorId) => {
        participants = [...participants, { id: operatorId, displayName: 'Cid', role: 'invited' }];
      },
    });
    await open();
    expect($('[data-testid="leave-chat"]')?.hidden).toBe(true);
    $('[data-testid="invite"]')?.click();
    await settle();
    expect($('[data-testid="invite-dialog"]')).not.toBeNull();
    ($$('[data-testid="invite-operator"]').find((i) => (i as HTMLInputElement).value === 'op3') as HTMLInputElement).click();
    $('[data-testid="invite-confirm"]')?.click();
    await settle();
    expect(fake.calls.find((c) => c.method === 'Invite')?.args).toEqual(['c1', 'op3']);
    const shown = $$('[data-testid="participant"]').map((p) => `${p.dataset.operatorId}:${p.dataset.role}`);
    expect(shown).toEqual(['me:owner', 'op3:invited']);
    expect($('[data-testid="participants"]')?.textContent).toContain('Cid');
  });

  it('"ChatJoined" adds the chat marked invited; Leave makes it read-only', async () => {
    const fake = await mount(
      {
        GetChat: async (id) =>
          detail({
            conversationId: id,
            participants: [
              { id: 'op1', displayName: 'Alice', role: 'owner' },
              { id: 'me', displayName: 'Me', role: 'invited' },
            ],
          }),
        Leave: async () => undefined,
      },
      [],
    );
    fake.emit('ChatJoined', summary({ conversationId: 'c9', visitorName: 'Zoe' }));
    const item = $('[data-conversation-id="c9"]');
    expect(item?.dataset.invited).toBe('true');
    expect(item?.querySelector('[data-testid="chat-item-invited"]')).not.toBeNull();
    await open('c9');
    expect($('[data-testid="leave-chat"]')?.hidden).toBe(false);
    expect($('[data-testid="invite"]')?.hidden).toBe(true);
    expect($('[data-testid="transfer"]')?.hidden).toBe(true);
    expect($('[data-testid="end-chat"]')?.hidden).toBe(true);
    expect($$('[data-testid="participant"]').map((p) => p.textContent)).toEqual(['Aliceowner', 'Meinvited']);
    $('[data-testid="leave-chat"]')?.click();
    await settle();
    expect(fake.calls.find((c) => c.method === 'Leave')?.args).toEqual(['c9']);
    expect($('[data-conversation-id="c9"]')?.dataset.closed).toBe('left');
    expect(composer().disabled).toBe(true);
  });
});

describe('internal notes', () => {
  const note = (id: string, createdAt: string, text: string): NoteDto => ({ id, conversationId: 'c1', authorName: 'Me', text, createdAt });

  it('renders notes among the messages by time, as text, from ChatDetail.notes and NoteAdded', async () => {
    const fake = await mount({
      GetChat: async () =>
        detail({
          messages: [message(1, 'visitor', at(-100)), message(2, 'operator', at(-50))],
          notes: [note('n1', at(-70), '<script>alert(1)</script>')],
        }),
    });
    await open();
    const order = () => $$('.messages > li').map((li) => li.dataset.seq ?? li.dataset.noteId);
    expect(order()).toEqual(['1', 'n1', '2']);
    expect($('[data-testid="note"]')?.textContent).toContain('<script>alert(1)</script>');
    expect(document.querySelector('.messages script')).toBeNull();
    fake.emit('NoteAdded', note('n2', at(-10), 'later'));
    fake.emit('NoteAdded', note('n2', at(-10), 'later')); // once
    expect(order()).toEqual(['1', 'n1', '2', 'n2']);
  });

  it('note mode sends AddNote instead of SendMessage', async () => {
    const fake = await mount({
      GetChat: async () => detail(),
      AddNote: async (id, text) => ({ id: 'n5', conversationId: id, authorName: 'Me', text, createdAt: at(0) }),
      Typing: async () => undefined,
    });
    await open();
    $('[data-testid="add-note"]')?.click();
    expect($('[data-testid="add-note"]')?.getAttribute('aria-pressed')).toBe('true');
    expect($('form.composer')?.dataset.mode).toBe('note');
    type('Customer is angry');
    key('Enter');
    await settle();
    expect(fake.calls.find((c) => c.method === 'AddNote')?.args).toEqual(['c1', 'Customer is angry']);
    expect(fake.count('SendMessage')).toBe(0);
    expect(fake.count('Typing')).toBe(0); // the visitor is not told about notes
    expect(composer().value).toBe('');
    expect($$('[data-testid="note"]').map((n) => n.querySelector('[data-testid="note-text"]')?.textContent)).toEqual(['Customer is angry']);
    $('[data-testid="add-note"]')?.click();
    expect($('form.composer')?.dataset.mode).toBe('message');
  });
});

describe('wrap-up', () => {
  it('shows the form for an ended chat I own, with the countdown, and submits CompleteWrapUp', async () => {
    const ended = detail({ status: 'ended', wrapUp: null, wrapUpDueAt: at(150) });
    let record: ChatDetail = ended;
    const fake = await mount(
      {
        GetChat: async () => record,
        CompleteWrapUp: async (_id, w) => {
          record = { ...ended, wrapUp: { disposition: w.disposition, notes: w.notes ?? null, tags: w.tags ?? [], completedAt: at(5), auto: false } };
        },
      },
      [summary({ status: 'ended', wrapUpDueAt: at(150) })],
    );
    await open();
    const form = $('form[data-testid="wrapup-form"]') as HTMLFormElement;
    expect(form).not.toBeNull();
    expect($('[data-testid="wrapup-due"]')?.textContent).toBe('Completes automatically in 2:30');
    clock += 31_000;
    await settle(1000);
    expect($('[data-testid="wrapup-due"]')?.textContent).toBe('Completes automatically in 1:59');

    (form.querySelector('select[name="disposition"]') as HTMLSelectElement).value = 'follow_up';
    (form.querySelector('textarea[name="notes"]') as HTMLTextAreaElement).value = ' Call back tomorrow ';
    (form.querySelector('input[name="tags"]') as HTMLInputElement).value = 'refund, vip, , Refund';
    $('[data-testid="wrapup-submit"]')?.click();
    await settle();
    expect(fake.calls.find((c) => c.method === 'CompleteWrapUp')?.args).toEqual([
      'c1',
      { disposition: 'follow_up', notes: 'Call back tomorrow', tags: ['refund', 'vip'] },
    ]);
    expect($('[data-testid="wrapup-form"]')).toBeNull();
    const done = $('[data-testid="wrapup-done"]');
    expect(done?.dataset.disposition).toBe('follow_up');
    expect(done?.textContent).toContain('Follow-up needed');
    expect(done?.textContent).toContain('Call back tomorrow');
    expect(done?.textContent).toContain('refund, vip');
  });

  it('shows the wrap-up form when the open chat ends, and errors in the form', async () => {
    let ended = false;
    const fake = await mount({
      GetChat: async () => detail(ended ? { status: 'ended', wrapUpDueAt: at(120) } : {}),
      CompleteWrapUp: async () => {
        throw hubException('CompleteWrapUp', 'Already wrapped up.');
      },
    });
    await open();
    expect($('[data-testid="wrapup-form"]')).toBeNull();
    ended = true;
    fake.emit('ChatEnded', { conversationId: 'c1', endedBy: 'visitor' });
    await settle();
    expect($('[data-testid="wrapup-form"]')).not.toBeNull();
    expect($('[data-testid="wrapup-due"]')?.textContent).toBe('Completes automatically in 2:00');
    $('[data-testid="wrapup-submit"]')?.click();
    await settle();
    expect(fake.calls.find((c) => c.method === 'CompleteWrapUp')?.args).toEqual(['c1', { disposition: 'resolved' }]);
    expect($('[data-testid="wrapup-error"]')?.textContent).toBe('Already wrapped up.');
  });

  it('shows a recorded wrap-up read-only and no form for invited operators', async () => {
    await mount(
      {
        GetChat: async () =>
          detail({ status: 'ended', wrapUp: { disposition: 'resolved', notes: null, tags: [], completedAt: at(-5), auto: true } }),
      },
      [summary({ status: 'ended' })],
    );
    await open();
    expect($('[data-testid="wrapup-form"]')).toBeNull();
    expect($('[data-testid="wrapup-done"]')?.textContent).toContain('completed automatically');
  });
});

describe('visitor context', () => {
  it('renders the context as text and adds pages visited live', async () => {
    const fake = await mount({
      GetChat: async () =>
        detail({
          context: {
            browser: 'Firefox 128',
            os: 'Windows 11',
            language: 'fr-FR',
            timeZone: 'Europe/Paris',
            pageUrl: 'javascript:alert(1)',
            pageTitle: '<i>Pricing</i>',
            pagesVisited: [{ url: 'https://shop.example/', title: 'Home', at: at(-200) }],
          },
          previousConversations: [
            {
              conversationId: 'old1',
              requestedAt: '2024-12-01T09:00:00Z',
              status: 'ended',
              topic: 'delivery',
              messages: [{ ...message(1, 'visitor', '2024-12-01T09:00:05Z', 'old1'), text: 'Where is <my> parcel?' }],
            },
          ],
        }),
    });
    await open();
    const panel = $('[data-testid="visitor-context"]')!;
    expect(panel.hidden).toBe(false);
    expect($('[data-testid="context-name"]')?.textContent).toBe('Ann');
    expect($('[data-testid="context-email"]')?.textContent).toBe('ann@example.com');
    expect($('[data-testid="context-browser"]')?.textContent).toBe('Firefox 128');
    expect($('[data-testid="context-os"]')?.textContent).toBe('Windows 11');
    expect($('[data-testid="context-timezone"]')?.textContent).toBe('Europe/Paris');
    expect($('[data-testid="context-current-page"]')?.textContent).toContain('Home');
    expect(panel.querySelector('a, i')).toBeNull();

    fake.emit('VisitorNavigated', { conversationId: 'c1', url: 'https://shop.example/checkout', title: 'Checkout', at: at(-1) });
    expect($$('[data-testid="context-page-visited"]').map((p) => p.dataset.url)).toEqual([
      'https://shop.example/',
      'https://shop.example/checkout',
    ]);
    expect($('[data-testid="context-current-page"]')?.textContent).toContain('Checkout');
    expect($('[data-testid="context-current-page"]')?.textContent).toContain('https://shop.example/checkout');

    const previous = $('[data-testid="previous-conversation"]') as HTMLDetailsElement;
    expect(previous.open).toBe(false);
    expect(previous.textContent).toContain('delivery');
    expect($('[data-testid="transcript-message"]')?.textContent).toContain('Where is <my> parcel?');
  });

  it('keeps live pages of a chat that is not open for later', async () => {
    const fake = await mount({ GetChat: async (id) => detail({ conversationId: id }) }, [
      summary(),
      summary({ conversationId: 'c2', requestedAt: at(-100) }),
    ]);
    await open('c1');
    fake.emit('VisitorNavigated', { conversationId: 'c2', url: 'https://shop.example/faq', title: 'FAQ', at: at(-1) });
    expect($('[data-testid="context-page-visited"]')).toBeNull();
    await open('c2');
    expect($$('[data-testid="context-page-visited"]').map((p) => p.dataset.url)).toEqual(['https://shop.example/faq']);
  });
});

describe('several chats', () => {
  it("shows the waiting time since the visitor's unanswered message and highlights it after 60 s", async () => {
    await mount({}, [
      summary({ lastMessage: message(4, 'visitor', at(-30)) }),
      summary({ conversationId: 'c2', requestedAt: at(-100), lastMessage: message(2, 'operator', at(-90), 'c2') }),
    ]);
    const waiting = () => $('[data-conversation-id="c1"] [data-testid="waiting-time"]')!;
    expect(waiting().textContent).toBe('30 s');
    expect(waiting().dataset.long).toBe('false');
    expect(waiting().classList.contains('waiting-long')).toBe(false);
    expect($('[data-conversation-id="c2"] [data-testid="waiting-time"]')).toBeNull(); // answered
    clock += 31_000;
    await settle(1000);
    expect(waiting().textContent).toBe('1 min');
    expect(waiting().dataset.long).toBe('true');
    expect(waiting().classList.contains('waiting-long')).toBe(true);
  });

  it('counts from the first unanswered visitor message and stops when the operator answers', async () => {
    const fake = await mount({ GetChat: async () => detail({ messages: [message(1, 'operator', at(-200)), message(2, 'visitor', at(-90)), message(3, 'visitor', at(-10))] }) });
    await open();
    expect($('[data-testid="waiting-time"]')?.textContent).toBe('1 min');
    fake.emit('MessageReceived', message(4, 'operator', at(0)));
    expect($('[data-testid="waiting-time"]')).toBeNull();
  });

  it('Alt+1..9 jumps to the n-th chat', async () => {
    await mount({ GetChat: async (id) => detail({ conversationId: id }) }, [
      summary(),
      summary({ conversationId: 'c2', requestedAt: at(-100) }),
      summary({ conversationId: 'c3', requestedAt: at(-50) }),
    ]);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: '3', code: 'Digit3', altKey: true }));
    expect($('[aria-current="true"]')?.dataset.conversationId).toBe('c3');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: '¡', code: 'Digit1', altKey: true })); // macOS layout
    expect($('[aria-current="true"]')?.dataset.conversationId).toBe('c1');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: '9', code: 'Digit9', altKey: true }));
    expect($('[aria-current="true"]')?.dataset.conversationId).toBe('c1');
  });
});
