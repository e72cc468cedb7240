// POST /api/widget/session, with visitor-token persistence.
//
// The token is kept in two places: the frame's own localStorage (best effort:
// third-party storage is blocked or throws in many browsers, and is partitioned
// in others) and the host page's localStorage, managed by the loader over
// postMessage (chatdesk:token / chatdesk:token-save). The token only grants
// this visitor's own conversation on this site, as with any first-party chat
// widget, so keeping it in the host's first-party storage is fine.

import type { Language } from '../i18n';
import { toSessionResponse, type SessionResponse } from '../protocol';

export type SessionFailure = 'forbidden' | 'notFound' | 'badRequest' | 'unavailable';

export type SessionResult =
  | { ok: true; session: SessionResponse }
  | { ok: false; reason: SessionFailure; status: number; detail: string | null };

export interface SessionOptions {
  /**
   * Token the loader read from the host page's storage (null = none or no loader).
   * The caller keeps it current with onTokenChange (it also stands in for the
   * frame's storage when that is blocked, e.g. for a retry).
   */
  hostToken?: string | null;
  /** Called when a token is obtained (string) or forgotten after a 401 (null). */
  onTokenChange?: (token: string | null) => void;
}

export function tokenKey(siteKey: string): string {
  return `chatdesk.visitorToken.${siteKey}`;
}

/** Precedence: the frame's own storage (if readable and non-empty), else the host's token. */
function loadToken(siteKey: string, hostToken: string | null): string | null {
  try {
    const own = window.localStorage.getItem(tokenKey(siteKey));
    if (own) return own;
  } catch {
    /* storage blocked (third-party iframe): use the host's copy */
  }
  return hostToken;
}

function saveToken(siteKey: string, token: string | null, options: SessionOptions): void {
  try {
    if (token === null) window.localStorage.removeItem(tokenKey(siteKey));
    else window.localStorage.setItem(tokenKey(siteKey), token);
  } catch {
    /* storage blocked (e.g. third-party storage disabled): host storage only */
  }
  options.onTokenChange?.(token);
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
export async function openSession(
  siteKey: string,
  hostOrigin: string,
  language: Language,
  options: SessionOptions = {},
): Promise<SessionResult> {
  const url = new URL('../api/widget/session', window.location.href);
  let token = loadToken(siteKey, options.hostToken ?? null);
  let res: Response;
  try {
    res = await post(url, siteKey, hostOrigin, token, language);
    if (res.status === 401 && token !== null) {
      saveToken(siteKey, null, options);
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
    saveToken(siteKey, session.visitorToken, options);
    return { ok: true, session };
  }

  const detail = await readProblemDetail(res);
  if (res.status === 401) saveToken(siteKey, null, options);
  const reason: SessionFailure =
    res.status === 403 ? 'forbidden' : res.status === 404 ? 'notFound' : res.status === 400 ? 'badRequest' : 'unavailable';
  return { ok: false, reason, status: res.status, detail };
}
