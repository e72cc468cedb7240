// POST /api/widget/session, with visitor-token persistence in localStorage.

import type { Language } from '../i18n';
import { toSessionResponse, type SessionResponse } from '../protocol';

export type SessionFailure = 'forbidden' | 'notFound' | 'badRequest' | 'unavailable';

export type SessionResult =
  | { ok: true; session: SessionResponse }
  | { ok: false; reason: SessionFailure; status: number; detail: string | null };

const memoryTokens = new Map<string, string>();

export function tokenKey(siteKey: string): string {
  return `chatdesk.visitorToken.${siteKey}`;
}

function loadToken(siteKey: string): string | null {
  try {
    return window.localStorage.getItem(tokenKey(siteKey));
  } catch {
    return memoryTokens.get(siteKey) ?? null;
  }
}

function saveToken(siteKey: string, token: string | null): void {
  if (token === null) memoryTokens.delete(siteKey);
  else memoryTokens.set(siteKey, token);
  try {
    if (token === null) window.localStorage.removeItem(tokenKey(siteKey));
    else window.localStorage.setItem(tokenKey(siteKey), token);
  } catch {
    /* storage blocked (e.g. third-party storage disabled): memory only */
  }
}

async function readProblemDetail(res: Response): Promise<string | null> {
  try {
    const body: unknown = await res.json();
    if (typeof body === 'object' && body !== null) {
      const b = body as Record<string, unknown>;
      if (typeof b.detail === 'string' && b.detail) return b.detail;
      if (typeof b.title === 'string' && b.title) return b.title;
    }
  } catch {
    /* not JSON */
  }
  return null;
}

async function post(
  url: URL,
  siteKey: string,
  hostOrigin: string,
  visitorToken: string | null,
  language: Language,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    credentials: 'omit',
    body: JSON.stringify({ siteKey, hostOrigin, visitorToken, language }),
  });
}

/**
 * Creates/resumes the visitor session. On 401 the stored token is forgotten
 * and the call is made once more without a token.
 */
export async function openSession(siteKey: string, hostOrigin: string, language: Language): Promise<SessionResult> {
  const url = new URL('../api/widget/session', window.location.href);
  let token = loadToken(siteKey);
  let res: Response;
  try {
    res = await post(url, siteKey, hostOrigin, token, language);
    if (res.status === 401 && token !== null) {
      saveToken(siteKey, null);
      token = null;
      res = await post(url, siteKey, hostOrigin, null, language);
    }
  } catch {
    return { ok: false, reason: 'unavailable', status: 0, detail: null };
  }

  if (res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* handled below */
    }
    const session = toSessionResponse(body);
    if (!session) return { ok: false, reason: 'unavailable', status: res.status, detail: null };
    saveToken(siteKey, session.visitorToken);
    return { ok: true, session };
  }

  const detail = await readProblemDetail(res);
  if (res.status === 401) saveToken(siteKey, null);
  const reason: SessionFailure =
    res.status === 403 ? 'forbidden' : res.status === 404 ? 'notFound' : res.status === 400 ? 'badRequest' : 'unavailable';
  return { ok: false, reason, status: res.status, detail };
}
