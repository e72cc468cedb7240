// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import type { PersonDto } from './api';
import { createConfirm } from './common';
import { createPeoplePage } from './people';

const person = (overrides: Partial<PersonDto> = {}): PersonDto => ({
  id: 'u1',
  email: 'olga@example.com',
  displayName: 'Olga <Operator>',
  roles: ['Operator'],
  language: 'en',
  disabled: false,
  invitationPending: false,
  status: 'offline',
  version: 'v1',
  ...overrides,
});

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  document.cookie = 'XSRF-TOKEN=tok';
  fetch = stubFetch();
});
afterEach(() => vi.unstubAllGlobals());

async function mount() {
  const confirm = createConfirm();
  const page = createPeoplePage({ confirm });
  document.body.append(page.element, confirm.element);
  page.show('people');
  await settle();
  return page;
}

const form = () => $<HTMLFormElement>('[data-testid="person-form"]');
const field = <T extends HTMLElement>(name: string) => $<T>(`[data-testid="person-form"] [name="${name}"]`);

describe('people page (DOM)', () => {
  it('lists people as text with disabled / pending badges, and says what to do when empty', async () => {
    fetch.routes['GET /api/admin/people'] = () => json(200, [person(), person({ id: 'u2', email: 'p@example.com', disabled: true, invitationPending: true })]);
    await mount();
    const rows = $$('[data-testid="person-row"]');
    expect(rows.map((row) => row.dataset.email)).toEqual(['olga@example.com', 'p@example.com']);
    expect(rows[0]?.textContent).toContain('Olga <Operator>');
    expect(rows[0]?.querySelector('[data-testid="person-disabled"]')).toBeNull();
    expect(rows[1]?.querySelector('[data-testid="person-disabled"]')?.textContent).toBe('Disabled');
    expect(rows[1]?.querySelector('[data-testid="person-pending"]')?.textContent).toBe('Invitation pending');
    expect(rows[1]?.querySelector('[data-testid="person-enable"]')).not.toBeNull();
    expect($('[data-testid="people-empty"]')?.hidden).toBe(true);

    fetch.routes['GET /api/admin/people'] = () => json(200, []);
    setValue($('input[name="search"]') as HTMLInputElement, 'zz');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settle();
    expect(fetch.requests.at(-1)?.url).toBe('/api/admin/people?search=zz');
    expect($('[data-testid="people-empty"]')?.hidden).toBe(false);
  });

  it('invites a person (no password) and shows the link to copy', async () => {
    fetch.routes['GET /api/admin/people'] = () => json(200, []);
    fetch.routes['POST /api/admin/people'] = () =>
      json(201, {
        person: person({ invitationPending: true }),
        invitationUrl: 'https://chat.example.com/console/#invitation=abc',
        invitationExpiresAt: '2030-01-08T00:00:00Z',
      });
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await mount();
    $('[data-testid="person-new"]')?.click();
    expect(document.activeElement).toBe(field('email'));
    setValue(field('email'), ' olga@example.com ');
    setValue(field('displayName'), 'Olga');
    $<HTMLInputElement>('[name="roles"][value="Manager"]')!.checked = true;
    setValue(field('language'), 'fr');
    form()?.requestSubmit();
    await settle();
    expect(fetch.sent('POST', '/api/admin/people')[0]?.body).toEqual({
      email: 'olga@example.com',
      displayName: 'Olga',
      roles: ['Operator', 'Manager'],
      language: 'fr',
      password: null,
    });
    expect(form()?.hidden).toBe(true);
    const url = $<HTMLInputElement>('[data-testid="invitation-url"]');
    expect(url?.value).toBe('https://chat.example.com/console/#invitation=abc');
    expect(url?.readOnly).toBe(true);
    $('[data-testid="invitation-copy"]')?.click();
    await settle();
    expect(writeText).toHaveBeenCalledWith('https://chat.example.com/console/#invitation=abc');
    expect($('[data-testid="invitation-copied"]')?.textContent).toBe('Copied to the clipboard.');
  });

  it('shows the server field errors next to their fields, and checks obvious mistakes first', async () => {
    fetch.routes['GET /api/admin/people'] = () => json(200, []);
    fetch.routes['POST /api/admin/people'] = () =>
      validationProblem({ email: ['This e-mail is already used.'], password: ['Passwords need a digit.'], other: ['Something else.'] });
    await mount();
    $('[data-testid="person-new"]')?.click();
    setValue(field('email'), 'not-an-email');
    setValue(field('password'), 'short');
    form()?.requestSubmit();
    await settle();
    expect(fetch.sent('POST', '/api/admin/people')).toHaveLength(0);
    expect($('[data-testid="field-error-email"]')?.textContent).toBe('Enter an e-mail address such as name@example.com.');
    expect($('[data-testid="field-error-displayName"]')?.textContent).toBe('Enter a display name.');
    expect($('[data-testid="field-error-password"]')?.textContent).toBe('The password needs at least 10 characters.');
    expect(document.activeElement).toBe(field('email'));

    setValue(field('email'), 'olga@example.com');
    setValue(field('displayName'), 'Olga');
    setValue(field('password'), 'long enough password');
    form()?.requestSubmit();
    await settle();
    expect($('[data-testid="field-error-email"]')?.textContent).toBe('This e-mail is already used.');
    expect($('[data-testid="field-error-password"]')?.textContent).toBe('Passwords need a digit.');
    expect($('[data-testid="field-error-displayName"]')?.hidden).toBe(true);
    expect(field('email')?.getAttribute('aria-invalid')).toBe('true');
    expect($('[data-testid="person-error"]')?.textContent).toContain('Something else.');
    expect(field<HTMLInputElement>('email')?.value).toBe('olga@example.com'); // kept
  });

  it('edits with the version; a 409 says someone else changed it and reloads', async () => {
    let version = 'v1';
    fetch.routes['GET /api/admin/people'] = () => json(200, [person({ version, displayName: version === 'v1' ? 'Olga' : 'Olga B.' })]);
    fetch.routes['PUT /api/admin/people/u1'] = () => {
      version = 'v2';
      return json(409, { title: 'Changed by someone else', status: 409 });
    };
    await mount();
    $('[data-testid="person-edit"]')?.click();
    expect(field<HTMLInputElement>('email')?.readOnly).toBe(true);
    setValue(field('displayName'), 'Olga Smith');
    form()?.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/people/u1')[0]?.body).toEqual({ displayName: 'Olga Smith', roles: ['Operator'], language: 'en', version: 'v1' });
    expect($('[data-testid="person-error"]')?.textContent).toBe(
      'Someone else changed this in the meantime. The latest version is now shown: check it and save again.',
    );
    expect(field<HTMLInputElement>('displayName')?.value).toBe('Olga B.');
    expect(fetch.sent('GET', '/api/admin/people')).toHaveLength(2);

    fetch.routes['PUT /api/admin/people/u1'] = () => json(200, person({ displayName: 'Olga B.', version: 'v3' }));
    form()?.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/people/u1')[1]?.body).toMatchObject({ version: 'v2' });
    expect(form()?.hidden).toBe(true);
    expect($('[data-testid="people-status"]')?.textContent).toBe('Olga B.: saved.');
  });

  it('asks before disabling; cancel sends nothing, confirm disables', async () => {
    fetch.routes['GET /api/admin/people'] = () => json(200, [person()]);
    fetch.routes['POST /api/admin/people/u1/disable'] = () => json(200, person({ disabled: true }));
    await mount();
    const disable = $<HTMLButtonElement>('[data-testid="person-disable"]');
    disable?.click();
    const dialog = $('[data-testid="confirm"]');
    expect(dialog?.closest('[hidden]')).toBeNull();
    expect(dialog?.textContent).toContain('Disable Olga <Operator>?');
    $('[data-testid="confirm-cancel"]')?.click();
    expect(fetch.sent('POST', '/api/admin/people/u1/disable')).toHaveLength(0);
    expect(document.activeElement).toBe(disable);

    disable?.click();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('POST', '/api/admin/people/u1/disable')).toHaveLength(1);
    expect(fetch.requests.at(-1)?.headers['X-XSRF-TOKEN']).toBe('tok');
    expect($('[data-testid="confirm"]')?.closest('[hidden]')).not.toBeNull();
    expect($('[data-testid="person-row"] [data-testid="person-disabled"]')).not.toBeNull();
    expect(document.activeElement).toBe($('[data-testid="person-enable"]'));
  });

  it('keeps the dialog open with the reason when disabling is refused', async () => {
    fetch.routes['GET /api/admin/people'] = () => json(200, [person()]);
    fetch.routes['POST /api/admin/people/u1/disable'] = () => json(400, { title: 'You cannot disable yourself.', status: 400 });
    await mount();
    $('[data-testid="person-disable"]')?.click();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect($('[data-testid="confirm"]')?.closest('[hidden]')).toBeNull();
    expect($('[data-testid="confirm-error"]')?.textContent).toBe('You cannot disable yourself.');
  });

  it('makes a new invitation link for a pending invitation', async () => {
    fetch.routes['GET /api/admin/people'] = () => json(200, [person({ invitationPending: true })]);
    fetch.routes['POST /api/admin/people/u1/invitation'] = () =>
      json(200, { invitationUrl: 'https://x/console/#invitation=new', invitationExpiresAt: '2030-01-01T00:00:00Z' });
    await mount();
    $('[data-testid="person-invite"]')?.click();
    await settle();
    expect($<HTMLInputElement>('[data-testid="invitation-url"]')?.value).toBe('https://x/console/#invitation=new');
    expect(document.activeElement).toBe($('[data-testid="invitation-url"]'));
  });
});
