// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnswerDto } from '../shared/contract';
import { flush } from '../shared/testing/fakeHub';
import { createAnswersAdmin } from './admin';

const answer = (overrides: Partial<AnswerDto> = {}): AnswerDto => ({
  id: 'a1',
  title: 'Refund <policy>',
  shortcut: '#refund',
  body: 'Hello {visitor.name}',
  category: null,
  skill: null,
  language: null,
  personal: false,
  retired: false,
  usageCount: 3,
  lastUsedAt: null,
  updatedAt: '2025-01-01T00:00:00Z',
  ...overrides,
});

type Route = (init: RequestInit | undefined) => Response;
let routes: Record<string, Route>;
const requests: { method: string; url: string; init: RequestInit | undefined }[] = [];
const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];

beforeEach(() => {
  document.body.replaceChildren();
  document.cookie = 'XSRF-TOKEN=tok123';
  requests.length = 0;
  routes = {};
  vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const url = String(input);
    requests.push({ method, url, init });
    const path = url.split('?')[0] ?? url;
    const route = routes[`${method} ${path}`];
    return route ? route(init) : json(404, { title: 'Not found' }, 'application/problem+json');
  });
});
afterEach(() => vi.unstubAllGlobals());

async function mount(isAdmin: boolean) {
  const admin = createAnswersAdmin({ isAdmin });
  document.body.append(admin.button, admin.element);
  admin.button.click();
  await flush();
  await flush();
  return admin;
}

const fill = (name: string, value: string) => {
  const input = $(`[data-testid="answer-form"] [name="${name}"]`) as HTMLInputElement | HTMLTextAreaElement;
  input.value = value;
};

describe('answers admin (DOM)', () => {
  it('lists answers as text; shared ones are not editable for operators', async () => {
    routes['GET /api/answers'] = () => json(200, [answer(), answer({ id: 'a2', shortcut: '#mine', personal: true, title: 'Mine' })]);
    await mount(false);
    expect($('[data-testid="answers-admin"]')?.hidden).toBe(false);
    expect(requests[0]?.url).toBe('/api/answers?q=&includeRetired=false');
    const items = $$('[data-testid="answer-item"]');
    expect(items.map((i) => i.dataset.answerId)).toEqual(['a1', 'a2']);
    expect(items[0]?.textContent).toContain('Refund <policy>');
    expect(items[0]?.querySelector('[data-testid="answer-edit"]')).toBeNull();
    expect(items[1]?.querySelector('[data-testid="answer-edit"]')).not.toBeNull();
    expect($('[data-testid="answers-export"]')?.closest('[hidden]')).not.toBeNull(); // admins only
  });

  it('creates a personal answer with the XSRF header and shows the duplicate shortcut error', async () => {
    routes['GET /api/answers'] = () => json(200, []);
    routes['POST /api/answers'] = () =>
      json(409, { title: 'Shortcut already used', detail: '#refund is taken.', status: 409 }, 'application/problem+json');
    await mount(false);
    $('[data-testid="answer-new"]')?.click();
    fill('title', 'Refund');
    fill('shortcut', 'Refund');
    fill('body', 'Refunds take 5 days.');
    ($('[data-testid="answer-form"]') as HTMLFormElement).requestSubmit();
    await flush();
    await flush();
    const post = requests.find((r) => r.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toEqual({
      title: 'Refund',
      shortcut: '#refund',
      body: 'Refunds take 5 days.',
      category: null,
      skill: null,
      language: null,
      personal: true,
    });
    expect((post?.init?.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('tok123');
    expect($('[data-testid="answer-error"]')?.textContent).toBe('This shortcut is already used. #refund is taken.');
    expect(($('[name="title"]') as HTMLInputElement).value).toBe('Refund'); // kept
  });

  it('shows problem title and detail for other errors, and validates empty fields', async () => {
    routes['GET /api/answers'] = () => json(200, [answer({ personal: true })]);
    routes['PUT /api/answers/a1'] = () =>
      json(400, { title: 'Invalid answer', detail: 'Unknown skill "xx".', status: 400 }, 'application/problem+json');
    await mount(false);
    $('[data-testid="answer-edit"]')?.click();
    fill('title', '');
    ($('[data-testid="answer-form"]') as HTMLFormElement).requestSubmit();
    expect($('[data-testid="answer-error"]')?.textContent).toBe('The title is required.');
    fill('title', 'T');
    fill('skill', 'xx');
    ($('[data-testid="answer-form"]') as HTMLFormElement).requestSubmit();
    await flush();
    await flush();
    const put = requests.find((r) => r.method === 'PUT');
    expect(JSON.parse(String(put?.init?.body))).not.toHaveProperty('personal');
    expect($('[data-testid="answer-error"]')?.textContent).toBe('Invalid answer — Unknown skill "xx".');
  });

  it('retires an answer and imports CSV (admins) showing the count and line errors', async () => {
    routes['GET /api/answers'] = () => json(200, [answer()]);
    routes['POST /api/answers/a1/retire'] = () => new Response(null, { status: 204 });
    routes['POST /api/answers/import'] = () => json(200, { imported: 2, errors: [{ line: 4, message: 'Shortcut already used' }] });
    await mount(true);
    $('[data-testid="answer-retire"]')?.click();
    await flush();
    await flush();
    expect(requests.some((r) => r.method === 'POST' && r.url === '/api/answers/a1/retire')).toBe(true);

    const input = $('[data-testid="answers-import"]') as HTMLInputElement;
    const file = new File(['title,shortcut,body\nA,#a,x\n'], 'answers.csv', { type: 'text/csv' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    for (let i = 0; i < 5; i++) await flush();
    const post = requests.find((r) => r.url === '/api/answers/import');
    expect(post?.init?.body).toBe('title,shortcut,body\nA,#a,x\n');
    expect((post?.init?.headers as Record<string, string>)['Content-Type']).toBe('text/csv');
    expect($('[data-testid="answers-imported"]')?.textContent).toBe('2 answers imported.');
    expect($('[data-testid="answers-import-errors"]')?.textContent).toBe('Line 4: Shortcut already used');
    expect($('[data-testid="answers-export"]')?.getAttribute('href')).toBe('/api/answers/export.csv');
  });
});
