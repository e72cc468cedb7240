/** Same-origin JSON calls with the antiforgery header (cookie XSRF-TOKEN -> header X-XSRF-TOKEN). */

export const XSRF_COOKIE = 'XSRF-TOKEN';
export const XSRF_HEADER = 'X-XSRF-TOKEN';

export function readCookie(cookieString: string, name: string): string | null {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

export function getJson(path: string): Promise<Response> {
  return fetch(path, {
    method: 'GET',
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    cache: 'no-store',
  });
}

export function postJson(path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = readCookie(document.cookie, XSRF_COOKIE);
  if (token !== null) headers[XSRF_HEADER] = token;
  const init: RequestInit = { method: 'POST', credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

function xsrfHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  const token = readCookie(document.cookie, XSRF_COOKIE);
  if (token !== null) headers[XSRF_HEADER] = token;
  return headers;
}

/** PUT/DELETE/POST with a JSON body and the antiforgery header. */
export function sendJson(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  const headers = xsrfHeaders(body === undefined ? {} : { 'Content-Type': 'application/json' });
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  return fetch(path, init);
}

/** POST a text body (e.g. text/csv) with the antiforgery header. */
export function postText(path: string, text: string, contentType: string): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: xsrfHeaders({ 'Content-Type': contentType }),
    body: text,
  });
}

/** A problem+json body (RFC 9457), as far as it could be read. */
export interface Problem {
  status: number;
  title: string | null;
  detail: string | null;
  /** ASP.NET validation problems: every message, flattened. */
  errors: string[];
  /** The same messages keyed by the request's field name (`email`, `topics[1].labelFr`), to show next to the field. */
  fields: Record<string, string[]>;
}

export async function readProblem(response: Response): Promise<Problem> {
  const problem: Problem = { status: response.status, title: null, detail: null, errors: [], fields: {} };
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) {
      const record = body as Record<string, unknown>;
      if (typeof record.title === 'string') problem.title = record.title;
      if (typeof record.detail === 'string') problem.detail = record.detail;
      if (typeof record.errors === 'object' && record.errors !== null) {
        for (const [field, value] of Object.entries(record.errors as Record<string, unknown>)) {
          const messages = Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
          problem.errors.push(...messages);
          if (messages.length > 0) problem.fields[field] = messages;
        }
      }
    }
  } catch {
    // not JSON: status only
  }
  return problem;
}

/** problem: null = the server could not be reached or answered something unreadable. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; problem: Problem | null };

/**
 * One JSON call: GET without a body, other methods with the antiforgery header. A 204 (or any empty body)
 * gives `undefined` as value, so callers that expect no content type it as ApiResult<void>.
 */
export async function requestJson<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = method === 'GET' ? await getJson(path) : await sendJson(method, path, body);
  } catch {
    return { ok: false, problem: null };
  }
  if (!response.ok) return { ok: false, problem: await readProblem(response) };
  try {
    const text = await response.text();
    return { ok: true, value: (text === '' ? undefined : JSON.parse(text)) as T };
  } catch {
    return { ok: false, problem: null };
  }
}
