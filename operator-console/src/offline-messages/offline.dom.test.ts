// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { OfflineMessage } from '../shared/contract';
import { fakeHub, flush, hubException, type FakeHubImpl } from '../shared/testing/fakeHub';
import { createOfflineMessages } from './index';
import { mailtoHref } from './model';

const older: OfflineMessage = {
  id: 'o1',
  conversationId: 'c1',
  name: '<img src=x onerror=alert(1)>',
  email: 'ann@example.com',
  text: 'Line one\nLine two',
  topic: 'billing',
  createdAt: '2025-01-01T09:00:00Z',
  handled: false,
};
const handled: OfflineMessage = { ...older, id: 'o0', name: 'Old', email: '"><script>x</script>', topic: null, createdAt: '2024-12-31T09:00:00Z', handled: true };
const newer: OfflineMessage = { ...older, id: 'o2', name: 'Bob', createdAt: '2025-01-01T11:00:00Z' };

const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];
const ids = () => $$('[data-testid="offline-message"]').map((m) => m.dataset.id);
const badge = () => $('[data-testid="offline-messages"] [data-testid="offline-count"]');

beforeEach(() => document.body.replaceChildren());

async function mount(impl: FakeHubImpl) {
  const fake = fakeHub(impl);
  let news = 0;
  const feature = createOfflineMessages(fake.hub, { onNew: () => (news += 1) });
  document.body.append(feature.element);
  await feature.refresh();
  return { ...fake, feature, news: () => news };
}

describe('offline messages panel (DOM)', () => {
  it('renders messages newest first, untrusted text as text', async () => {
    await mount({ GetOfflineMessages: async () => [handled, older] });
    expect(ids()).toEqual(['o1', 'o0']);
    const first = $('[data-id="o1"]');
    expect(first?.querySelector('[data-testid="offline-name"]')?.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(document.querySelector('img')).toBeNull();
    expect(document.querySelector('script')).toBeNull();
    expect(first?.querySelector('[data-testid="offline-topic"]')?.textContent).toBe('billing');
    const text = first?.querySelector<HTMLElement>('[data-testid="offline-text"]');
    expect(text?.textContent).toBe('Line one\nLine two');
    expect(text?.style.whiteSpace).toBe('pre-wrap');
    expect(first?.querySelector('time')?.getAttribute('datetime')).toBe(older.createdAt);

    const email = first?.querySelector<HTMLElement>('[data-testid="offline-email"]');
    expect(email?.textContent).toBe('ann@example.com');
    expect(email?.getAttribute('href')).toBe('mailto:ann@example.com');
    const badEmail = $('[data-id="o0"] [data-testid="offline-email"]');
    expect(badEmail?.tagName).toBe('SPAN');
    expect(badEmail?.textContent).toBe('"><script>x</script>');

    expect(first?.dataset.handled).toBe('false');
    expect($('[data-id="o0"]')?.dataset.handled).toBe('true');
    expect($('[data-id="o0"] [data-testid="mark-handled"]')).toBeNull();
    expect(badge()?.textContent).toBe('1');
    expect(badge()?.hidden).toBe(false);
  });

  it('adds a live message at the top and updates the badge', async () => {
    const fake = await mount({ GetOfflineMessages: async () => [older, handled] });
    fake.emit('OfflineMessageReceived', newer);
    expect(ids()).toEqual(['o2', 'o1', 'o0']);
    expect(badge()?.textContent).toBe('2');
    expect(fake.news()).toBe(1);
    // The same message again (e.g. also in a later refresh) is not duplicated.
    fake.emit('OfflineMessageReceived', newer);
    expect(ids()).toEqual(['o2', 'o1', 'o0']);
    expect(fake.news()).toBe(1);
  });

  it('ignores malformed live payloads', async () => {
    const fake = await mount({ GetOfflineMessages: async () => [older] });
    fake.emit('OfflineMessageReceived', { id: 'x' } as unknown as OfflineMessage);
    expect(ids()).toEqual(['o1']);
  });

  it('mark handled invokes the method and updates the badge', async () => {
    const fake = await mount({ GetOfflineMessages: async () => [newer, older], MarkOfflineMessageHandled: async () => undefined });
    expect(badge()?.textContent).toBe('2');
    $('[data-id="o1"] [data-testid="mark-handled"]')?.click();
    await flush();
    expect(fake.calls.filter((c) => c.method === 'MarkOfflineMessageHandled').map((c) => c.args)).toEqual([['o1']]);
    expect($('[data-id="o1"]')?.dataset.handled).toBe('true');
    expect($('[data-id="o1"] [data-testid="mark-handled"]')).toBeNull();
    expect(badge()?.textContent).toBe('1');

    $('[data-id="o2"] [data-testid="mark-handled"]')?.click();
    await flush();
    expect(badge()?.hidden).toBe(true);
  });

  it('keeps a message unhandled and shows the error when marking fails', async () => {
    await mount({
      GetOfflineMessages: async () => [older],
      MarkOfflineMessageHandled: async () => {
        throw hubException('MarkOfflineMessageHandled', 'Unknown offline message.');
      },
    });
    $('[data-testid="mark-handled"]')?.click();
    await flush();
    expect($('[data-testid="offline-error"]')?.textContent).toBe('Unknown offline message.');
    expect($('[data-testid="offline-error"]')?.hidden).toBe(false);
    expect(badge()?.textContent).toBe('1');
  });

  it('refresh keeps a live message that arrived while GetOfflineMessages was in flight', async () => {
    let answer: (list: OfflineMessage[]) => void = () => undefined;
    const fake = fakeHub({ GetOfflineMessages: () => new Promise((resolve) => (answer = resolve)) });
    const feature = createOfflineMessages(fake.hub);
    document.body.append(feature.element);
    const done = feature.refresh();
    fake.emit('OfflineMessageReceived', newer);
    answer([older]);
    await done;
    expect(ids()).toEqual(['o2', 'o1']);
  });

  it('shows an empty text when there are none', async () => {
    await mount({ GetOfflineMessages: async () => [] });
    expect($('[data-testid="offline-empty"]')?.hidden).toBe(false);
    expect(badge()?.hidden).toBe(true);
  });
});

describe('mailtoHref', () => {
  it('only links plain addresses', () => {
    expect(mailtoHref('a.b@example.org')).toBe('mailto:a.b@example.org');
    expect(mailtoHref('a@b.c?bcc=evil@x.y')).toBeNull();
    expect(mailtoHref('javascript:alert(1)//@x.y')).toBeNull();
    expect(mailtoHref('a b@c.d')).toBeNull();
    expect(mailtoHref('no-at-sign')).toBeNull();
  });
});
