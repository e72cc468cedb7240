// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, json, setValue, settle, stubFetch, type FakeFetch } from '../shared/testing/fakeFetch';
import { createLoginView } from './loginView';

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  document.cookie = 'XSRF-TOKEN=anon';
  fetch = stubFetch();
});
afterEach(() => vi.unstubAllGlobals());

async function attempt(status: number, title: string) {
  fetch.routes['POST /api/auth/login'] = () => json(status, { title, status });
  document.body.replaceChildren(createLoginView({ onSignedIn: vi.fn() }));
  setValue($('[name="email"]') as HTMLInputElement, 'olga@example.com');
  setValue($('[name="password"]') as HTMLInputElement, 'whatever');
  $<HTMLFormElement>('[data-testid="login-form"]')?.requestSubmit();
  await settle();
  return $('[data-testid="login-error"]')?.textContent;
}

describe('login errors (DOM)', () => {
  it('tells a wrong password, a locked account and a disabled account apart', async () => {
    expect(await attempt(401, 'Wrong email or password')).toBe('Incorrect email or password.');
    expect(await attempt(423, 'Account locked')).toBe('Too many failed attempts: this account is locked for a while. Try again later.');
    expect(await attempt(403, 'Account disabled')).toBe('This account is disabled. Ask an administrator to enable it.');
  });
});
