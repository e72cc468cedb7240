// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, json, noContent, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import { createAccountPage } from './index';

const me = { id: 'u1', email: 'olga@example.com', displayName: 'Olga', roles: ['Operator'], language: 'en' as const };

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  fetch = stubFetch();
});
afterEach(() => vi.unstubAllGlobals());

const mount = (onSaved = vi.fn()) => {
  document.body.append(createAccountPage({ me, headerItems: [], onSaved }));
  return onSaved;
};
const passwordForm = () => $<HTMLFormElement>('[data-testid="password-form"]') as HTMLFormElement;
const input = (name: string) => $<HTMLInputElement>(`[name="${name}"]`) as HTMLInputElement;

describe('account page (DOM)', () => {
  it('saves the display name and language', async () => {
    fetch.routes['PUT /api/auth/me'] = () => json(200, { ...me, displayName: 'Olga B.', language: 'fr' });
    const onSaved = mount();
    expect(input('displayName').value).toBe('Olga');
    setValue(input('displayName'), ' Olga B. ');
    setValue($('[data-testid="account-form"] [name="language"]') as HTMLSelectElement, 'fr');
    $<HTMLFormElement>('[data-testid="account-form"]')?.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/auth/me')[0]?.body).toEqual({ displayName: 'Olga B.', language: 'fr' });
    expect($('[data-testid="account-status"]')?.textContent).toBe('Saved.');
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ language: 'fr' }));
  });

  it('checks the new password and its confirmation before sending', async () => {
    mount();
    setValue(input('currentPassword'), 'old password');
    setValue(input('newPassword'), 'short');
    passwordForm().requestSubmit();
    expect($('[data-testid="field-error-newPassword"]')?.textContent).toBe('The password needs at least 10 characters.');
    setValue(input('newPassword'), 'a long new password');
    setValue(input('confirmPassword'), 'a long new passwort');
    passwordForm().requestSubmit();
    expect($('[data-testid="field-error-newPassword"]')?.hidden).toBe(true);
    expect($('[data-testid="field-error-confirmPassword"]')?.textContent).toBe('The two passwords are not the same.');
    expect(document.activeElement).toBe(input('confirmPassword'));
    await settle();
    expect(fetch.requests).toHaveLength(0);
  });

  it('shows the server errors next to the password fields, then the success', async () => {
    fetch.routes['POST /api/auth/password'] = () => validationProblem({ currentPassword: ['The current password is wrong.'] });
    mount();
    setValue(input('currentPassword'), 'wrong password');
    setValue(input('newPassword'), 'a long new password');
    setValue(input('confirmPassword'), 'a long new password');
    passwordForm().requestSubmit();
    expect($<HTMLButtonElement>('[data-testid="password-submit"]')?.disabled).toBe(true);
    await settle();
    expect(fetch.sent('POST', '/api/auth/password')[0]?.body).toEqual({ currentPassword: 'wrong password', newPassword: 'a long new password' });
    expect($('[data-testid="field-error-currentPassword"]')?.textContent).toBe('The current password is wrong.');
    expect(document.activeElement).toBe(input('currentPassword'));
    expect($<HTMLButtonElement>('[data-testid="password-submit"]')?.disabled).toBe(false);

    fetch.routes['POST /api/auth/password'] = () => noContent();
    setValue(input('currentPassword'), 'right password');
    passwordForm().requestSubmit();
    await settle();
    expect($('[data-testid="field-error-currentPassword"]')?.hidden).toBe(true);
    expect($('[data-testid="password-status"]')?.textContent).toBe('Password changed. Your other sessions are signed out.');
    expect(input('newPassword').value).toBe('');
  });
});
