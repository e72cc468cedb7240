// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import type { ApiTokenDto } from './api';
import { createConfirm } from './common';
import { createTokensPage } from './tokens';

const token = (overrides: Partial<ApiTokenDto> = {}): ApiTokenDto => ({
  id: 't1',
  name: 'Warehouse <sync>',
  scopes: ['kpis:read'],
  createdById: 'u1',
  createdByName: 'Ada <Admin>',
  createdAt: '2030-01-02T10:00:00Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  usable: true,
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
  const page = createTokensPage({ confirm });
  document.body.append(page.element, confirm.element);
  page.show('tokens');
  await settle();
  return page;
}

const form = () => $<HTMLFormElement>('[data-testid="token-form"]');

describe('API tokens page (DOM)', () => {
  it('lists tokens as text with their scopes, who made them and revoked ones marked, and says what to do when empty', async () => {
    fetch.routes['GET /api/admin/tokens'] = () =>
      json(200, [token(), token({ id: 't2', name: 'Old', scopes: ['answers:read', 'answers:write'], revokedAt: '2030-01-03T00:00:00Z', usable: false })]);
    await mount();
    const rows = $$('[data-testid="token-row"]');
    expect(rows.map((row) => row.dataset.id)).toEqual(['t1', 't2']);
    expect(rows[0]?.querySelector('strong')?.textContent).toBe('Warehouse <sync>');
    expect(rows[0]?.textContent).toContain('Created by Ada <Admin>');
    expect(rows[0]?.textContent).toContain('last used never');
    expect($$('[data-testid="token-scope"]', rows[1]).map((node) => node.textContent)).toEqual(['answers:read', 'answers:write']);
    expect(rows[1]?.querySelector('[data-testid="token-revoked"]')?.textContent).toBe('Revoked');
    expect(rows[1]?.querySelector('[data-testid="token-revoke"]')).toBeNull();
    expect($('[data-testid="tokens-empty"]')?.hidden).toBe(true);

    fetch.routes['GET /api/admin/tokens'] = () => json(200, []);
    await mount();
    expect($$('[data-testid="tokens-empty"]').at(-1)?.hidden).toBe(false);
  });

  it('creates a token, shows its secret once with a copy button, and forgets it when the page is left', async () => {
    fetch.routes['GET /api/admin/tokens'] = () => json(200, []);
    fetch.routes['POST /api/admin/tokens'] = () => json(201, { apiToken: token({ id: 't9', name: 'BI', scopes: ['conversations:read', 'kpis:read'] }), token: 'cdk_secret123' });
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const page = await mount();

    $('[data-testid="token-new"]')?.click();
    expect(form()?.hidden).toBe(false);
    setValue($('[data-testid="token-form"] [name="name"]') as HTMLInputElement, ' BI ');
    $<HTMLInputElement>('[name="scopes"][value="kpis:read"]')!.checked = true;
    $<HTMLInputElement>('[name="scopes"][value="conversations:read"]')!.checked = true;
    form()?.requestSubmit();
    await settle();

    expect(fetch.sent('POST', '/api/admin/tokens')[0]?.body).toEqual({ name: 'BI', scopes: ['kpis:read', 'conversations:read'], expiresAt: null });
    expect(form()?.hidden).toBe(true);
    const secret = $<HTMLInputElement>('[data-testid="token-secret"]');
    expect(secret?.value).toBe('cdk_secret123');
    expect(secret?.readOnly).toBe(true);
    expect($$('[data-testid="token-row"]').map((row) => row.dataset.id)).toEqual(['t9']);
    $('[data-testid="token-copy"]')?.click();
    await settle();
    expect(writeText).toHaveBeenCalledWith('cdk_secret123');
    expect($('[data-testid="token-copied"]')?.textContent).toBe('Copied to the clipboard.');

    page.show('tokens');
    await settle();
    expect($('[data-testid="token-secret-box"]')?.hidden).toBe(true);
    expect(secret?.value).toBe('');
  });

  it('checks name and scopes first, then shows the server field errors next to their fields', async () => {
    fetch.routes['GET /api/admin/tokens'] = () => json(200, []);
    fetch.routes['POST /api/admin/tokens'] = () => validationProblem({ expiresAt: ['The expiry must be in the future.'] });
    await mount();
    $('[data-testid="token-new"]')?.click();
    form()?.requestSubmit();
    await settle();
    expect(fetch.sent('POST', '/api/admin/tokens')).toHaveLength(0);
    expect($('[data-testid="field-error-name"]')?.textContent).toBe('Give the token a name that says who uses it.');
    expect($('[data-testid="field-error-scopes"]')?.textContent).toBe('Choose at least one scope.');

    setValue($('[data-testid="token-form"] [name="name"]') as HTMLInputElement, 'BI');
    $<HTMLInputElement>('[name="scopes"][value="metrics:read"]')!.checked = true;
    setValue($('[name="expiresAt"]') as HTMLInputElement, '2001-01-01');
    form()?.requestSubmit();
    await settle();
    const sent = fetch.sent('POST', '/api/admin/tokens')[0]?.body as { expiresAt: string };
    expect(new Date(sent.expiresAt).getFullYear()).toBe(2001);
    expect($('[data-testid="field-error-expiresAt"]')?.textContent).toBe('The expiry must be in the future.');
    expect(form()?.hidden).toBe(false);
  });

  it('revokes a token after a confirmation and marks it revoked', async () => {
    fetch.routes['GET /api/admin/tokens'] = () => json(200, [token()]);
    fetch.routes['POST /api/admin/tokens/t1/revoke'] = () => json(200, token({ revokedAt: '2030-01-04T00:00:00Z', usable: false }));
    await mount();
    $('[data-testid="token-revoke"]')?.click();
    expect(fetch.sent('POST', '/api/admin/tokens/t1/revoke')).toHaveLength(0);
    expect($('[data-testid="confirm-text"]')?.textContent).toContain('refused from now on');
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('POST', '/api/admin/tokens/t1/revoke')).toHaveLength(1);
    expect($('[data-testid="token-revoked"]')?.textContent).toBe('Revoked');
    expect($('[data-testid="token-revoke"]')).toBeNull();
    expect($('[data-testid="tokens-status"]')?.textContent).toBe('Warehouse <sync> is revoked.');
  });
});
