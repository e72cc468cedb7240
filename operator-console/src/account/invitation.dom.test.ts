// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, json, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import { invitationToken } from './api';
import { createInvitationView } from './invitation';

const me = { id: 'u9', email: 'new@example.com', displayName: 'Nina', roles: ['Operator'] };

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  document.cookie = 'XSRF-TOKEN=anon';
  fetch = stubFetch();
});
afterEach(() => vi.unstubAllGlobals());

async function mount(onSignedIn = vi.fn(), fetchMe = vi.fn(async () => me)) {
  document.body.append(createInvitationView({ token: 'tok/1', fetchMe, onSignedIn, loginHref: '/console/' }));
  await settle();
  return { onSignedIn, fetchMe };
}
const input = (name: string) => $<HTMLInputElement>(`[data-testid="invitation-form"] [name="${name}"]`) as HTMLInputElement;
const submit = () => $<HTMLFormElement>('[data-testid="invitation-form"]')?.requestSubmit();

describe('invitation page (DOM)', () => {
  it('reads the token from the hash', () => {
    expect(invitationToken('#invitation=abc%2Fd')).toBe('abc/d');
    expect(invitationToken('#invitation=')).toBeNull();
    expect(invitationToken('#admin')).toBeNull();
  });

  it('shows the invited e-mail, accepts with the password, then signs in with a fresh /me', async () => {
    fetch.routes['POST /api/auth/invitations/lookup'] = () => json(200, { email: 'new@example.com', displayName: 'Nina', expiresAt: '2030-01-08T00:00:00Z' });
    fetch.routes['POST /api/auth/invitations/accept'] = () => json(200, me);
    const { onSignedIn, fetchMe } = await mount();
    expect($('[data-testid="invitation-email"]')?.textContent).toBe('new@example.com');
    expect(input('displayName').value).toBe('Nina');
    expect(document.activeElement).toBe(input('password'));

    setValue(input('password'), 'a good password');
    setValue(input('confirmPassword'), 'another password');
    submit();
    await settle();
    expect($('[data-testid="field-error-confirmPassword"]')?.textContent).toBe('The two passwords are not the same.');
    expect(fetch.sent('POST', '/api/auth/invitations/accept')).toHaveLength(0);

    setValue(input('confirmPassword'), 'a good password');
    setValue(input('displayName'), 'Nina N.');
    submit();
    await settle();
    const post = fetch.sent('POST', '/api/auth/invitations/accept')[0];
    expect(post?.body).toEqual({ token: 'tok/1', password: 'a good password', displayName: 'Nina N.' });
    expect(fetch.requests.at(-1)?.headers['X-XSRF-TOKEN']).toBe('anon');
    expect(fetchMe).toHaveBeenCalled();
    expect(onSignedIn).toHaveBeenCalledWith(me);
  });

  it('shows a password the server refuses next to the field', async () => {
    fetch.routes['POST /api/auth/invitations/lookup'] = () => json(200, { email: 'new@example.com', displayName: '', expiresAt: '2030-01-08T00:00:00Z' });
    fetch.routes['POST /api/auth/invitations/accept'] = () => validationProblem({ password: ['Passwords must have at least one digit.'] });
    const { onSignedIn } = await mount();
    setValue(input('password'), 'no digits here');
    setValue(input('confirmPassword'), 'no digits here');
    submit();
    await settle();
    expect(fetch.sent('POST', '/api/auth/invitations/accept')[0]?.body).toEqual({ token: 'tok/1', password: 'no digits here' });
    expect($('[data-testid="field-error-password"]')?.textContent).toBe('Passwords must have at least one digit.');
    expect($<HTMLButtonElement>('[data-testid="invitation-submit"]')?.disabled).toBe(false);
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it('says clearly when the link is unknown, used or expired, with a way to sign in', async () => {
    fetch.routes['POST /api/auth/invitations/lookup'] = () => json(404, { title: 'Not found', status: 404 });
    await mount();
    expect($('[data-testid="invitation-error"]')?.textContent).toContain('unknown, already used or expired');
    expect($('[data-testid="invitation-form"]')?.hidden).toBe(true);
    expect($('[data-testid="invitation-login"]')?.getAttribute('href')).toBe('/console/');
  });
});
