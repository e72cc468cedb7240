// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import type { PrivacyVisitor } from './api';
import { createConfirm } from './common';
import { createPrivacyPage, privacyQuery } from './privacy';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ID2 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const visitor = (overrides: Partial<PrivacyVisitor> = {}): PrivacyVisitor => ({
  visitorId: ID,
  siteKey: 'shop',
  names: ['Vera <b>Bold</b>', 'Vera'],
  emails: ['vera@example.com'],
  conversations: 2,
  firstSeen: '2030-01-02T10:00:00Z',
  lastSeen: '2030-01-05T12:00:00Z',
  ...overrides,
});

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  document.cookie = 'XSRF-TOKEN=tok';
  fetch = stubFetch();
});
afterEach(() => vi.unstubAllGlobals());

function mount() {
  const confirm = createConfirm();
  const page = createPrivacyPage({ confirm });
  document.body.append(page.element, confirm.element);
  page.show('privacy');
  return page;
}

const input = () => $<HTMLInputElement>('[data-testid="privacy-search"] input[name="email"]');
async function search(value: string) {
  setValue(input(), value);
  $<HTMLFormElement>('[data-testid="privacy-search"]')?.requestSubmit();
  await settle();
}
const dialogOpen = () => $('[data-testid="confirm"]')?.closest('[hidden]') === null;

describe('privacy page (DOM)', () => {
  it('tells what the page is for before any search, and asks the server nothing', () => {
    mount();
    const empty = $('[data-testid="privacy-empty"]');
    expect(empty?.hidden).toBe(false);
    expect(empty?.textContent).toContain('export everything ChatDesk keeps about them as a JSON file, or erase it');
    expect(empty?.textContent).toContain('retention period, which is set per site');
    expect(empty?.querySelector('a')?.getAttribute('href')).toBe('#admin/sites');
    expect(fetch.requests).toHaveLength(0);
  });

  it('picks email= or visitorId= from what was typed', () => {
    expect(privacyQuery(' vera@example.com ')).toEqual({ email: 'vera@example.com' });
    expect(privacyQuery(` ${ID.toUpperCase()} `)).toEqual({ visitorId: ID.toUpperCase() });
    expect(privacyQuery('0f8fad5b-d9cb')).toEqual({ email: '0f8fad5b-d9cb' });
  });

  it('searches by e-mail or visitor id and renders the results as text', async () => {
    fetch.routes['GET /api/admin/privacy/visitors'] = () => json(200, [visitor(), visitor({ visitorId: ID2, siteKey: 'blog', names: [], emails: [], conversations: 0 })]);
    mount();
    await search(' vera@example.com ');
    expect(fetch.requests.at(-1)?.url).toBe('/api/admin/privacy/visitors?email=vera%40example.com');

    const rows = $$('[data-testid="privacy-result"]');
    expect(rows.map((row) => row.dataset.visitorId)).toEqual([ID, ID2]);
    const names = rows[0]?.querySelector('[data-testid="privacy-names"]');
    expect(names?.textContent).toBe('Vera <b>Bold</b>, Vera');
    expect(names?.querySelector('b')).toBeNull();
    expect(rows[0]?.querySelector('[data-testid="privacy-emails"]')?.textContent).toBe('vera@example.com');
    expect(rows[0]?.querySelector('[data-testid="privacy-site"]')?.textContent).toBe('shop');
    expect(rows[0]?.querySelector('[data-testid="privacy-conversations"]')?.textContent).toBe('Conversations: 2');
    expect(rows[0]?.querySelector('time')?.getAttribute('datetime')).toBe('2030-01-02T10:00:00Z');
    expect(rows[1]?.textContent).toContain('No name given');
    const exportLink = rows[0]?.querySelector<HTMLAnchorElement>('[data-testid="privacy-export"]');
    expect(exportLink?.tagName).toBe('A');
    expect(exportLink?.getAttribute('href')).toBe(`/api/admin/privacy/visitors/${ID}/export`);
    expect(exportLink?.hasAttribute('download')).toBe(true);
    expect($('[data-testid="privacy-empty"]')?.hidden).toBe(true);

    fetch.routes['GET /api/admin/privacy/visitors'] = () => json(200, []);
    await search(ID);
    expect(fetch.requests.at(-1)?.url).toBe(`/api/admin/privacy/visitors?visitorId=${ID}`);
    expect($$('[data-testid="privacy-result"]')).toHaveLength(0);
    expect($('[data-testid="privacy-no-match"]')?.textContent).toBe(`No visitor found for “${ID}”.`);
    expect($('[data-testid="privacy-empty"]')?.hidden).toBe(false);
  });

  it('shows a 400 next to the field, and asks for something before searching', async () => {
    fetch.routes['GET /api/admin/privacy/visitors'] = () => validationProblem({ email: ['Enter the visitor\'s e-mail address (or their visitor id).'] }, 'Who is it?');
    mount();
    await search('   ');
    expect(fetch.requests).toHaveLength(0);
    expect($('[data-testid="field-error-email"]')?.textContent).toBe('Enter the visitor’s e-mail address or their visitor id.');

    await search('not-an-address');
    expect($('[data-testid="field-error-email"]')?.textContent).toBe('Enter the visitor\'s e-mail address (or their visitor id).');
    expect($('[data-testid="field-error-email"]')?.hidden).toBe(false);
    expect(input()?.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(input());
    expect($('[data-testid="privacy-error"]')?.hidden).toBe(true);
  });

  it('erases only after the confirmation, then shows the counts', async () => {
    fetch.routes['GET /api/admin/privacy/visitors'] = () => json(200, [visitor()]);
    fetch.routes[`POST /api/admin/privacy/visitors/${ID}/erase`] = () => json(200, { conversations: 2, messages: 14, files: 1 });
    mount();
    await search('vera@example.com');
    const erase = $<HTMLButtonElement>('[data-testid="privacy-erase"]');
    erase?.click();
    expect(dialogOpen()).toBe(true);
    const text = $('[data-testid="confirm-text"]')?.textContent ?? '';
    expect(text).toContain('cannot be undone');
    expect(text).toContain('KPI figures are kept');
    expect(text).toContain(ID);
    $('[data-testid="confirm-cancel"]')?.click();
    await settle();
    expect(dialogOpen()).toBe(false);
    expect(fetch.sent('POST', `/api/admin/privacy/visitors/${ID}/erase`)).toHaveLength(0);
    expect(document.activeElement).toBe(erase);

    erase?.click();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('POST', `/api/admin/privacy/visitors/${ID}/erase`)).toHaveLength(1);
    expect(fetch.requests.at(-1)?.headers['X-XSRF-TOKEN']).toBe('tok');
    expect(dialogOpen()).toBe(false);
    const done = $('[data-testid="privacy-erased"]');
    expect(done?.hidden).toBe(false);
    expect(done?.getAttribute('role')).toBe('status');
    expect(done?.textContent).toBe(`Visitor ${ID} erased. Conversations: 2, messages: 14, files: 1. KPI figures are kept, anonymised.`);
    const row = $(`[data-testid="privacy-result"][data-visitor-id="${ID}"]`);
    expect(row?.querySelector('[data-testid="privacy-erased-badge"]')).not.toBeNull();
    expect(row?.querySelector('[data-testid="privacy-erase"]')).toBeNull();
    expect(row?.textContent).not.toContain('vera@example.com');
    expect(document.activeElement).toBe(done);
  });

  it('shows the server’s reason in an alert when the chat is still open (409)', async () => {
    fetch.routes['GET /api/admin/privacy/visitors'] = () => json(200, [visitor()]);
    fetch.routes[`POST /api/admin/privacy/visitors/${ID}/erase`] = () =>
      json(409, { title: 'Chat still open', detail: 'The visitor has a chat going on: end it first, then erase.', status: 409 });
    mount();
    await search('vera@example.com');
    $('[data-testid="privacy-erase"]')?.click();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('POST', `/api/admin/privacy/visitors/${ID}/erase`)).toHaveLength(1);
    const error = $('[data-testid="privacy-error"]');
    expect(error?.getAttribute('role')).toBe('alert');
    expect(error?.hidden).toBe(false);
    expect(error?.textContent).toContain('The visitor has a chat going on: end it first, then erase.');
    expect($('[data-testid="privacy-erased"]')?.hidden).toBe(true);
    expect($('[data-testid="privacy-erase"]')).not.toBeNull(); // still there, to try again once the chat has ended
  });
});
