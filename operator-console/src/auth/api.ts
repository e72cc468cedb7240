import type { Me } from '../shared/contract';
import { getJson, HttpError, postJson, readCookie, XSRF_COOKIE } from '../shared/http';

/** GET /api/auth/me: the operator, or null when not signed in. Also refreshes the XSRF-TOKEN cookie. */
export async function fetchMe(): Promise<Me | null> {
  const response = await getJson('/api/auth/me');
  if (response.status === 401) return null;
  if (!response.ok) throw new HttpError(response.status);
  return (await response.json()) as Me;
}

/** invalid = 401 (wrong e-mail or password), locked = 423 (too many failures, try later), disabled = 403. */
export type LoginResult = { ok: true; me: Me } | { ok: false; reason: 'invalid' | 'locked' | 'disabled' | 'failed' };

export async function login(email: string, password: string): Promise<LoginResult> {
  // The antiforgery cookie is set by GET /api/auth/me; make sure we have one before posting.
  if (readCookie(document.cookie, XSRF_COOKIE) === null) {
    const already = await fetchMe();
    if (already) return { ok: true, me: already };
  }
  const response = await postJson('/api/auth/login', { email, password });
  if (response.status === 401) return { ok: false, reason: 'invalid' };
  if (response.status === 423) return { ok: false, reason: 'locked' };
  if (response.status === 403) return { ok: false, reason: 'disabled' };
  if (!response.ok) return { ok: false, reason: 'failed' };
  // The identity changed: fetch /me again to get a fresh XSRF-TOKEN cookie for later POSTs.
  const me = await fetchMe();
  return me ? { ok: true, me } : { ok: false, reason: 'failed' };
}

export async function logout(): Promise<void> {
  try {
    await postJson('/api/auth/logout');
  } finally {
    // New anonymous antiforgery token for the next sign-in; failures here are not fatal.
    await fetchMe().catch(() => null);
  }
}
