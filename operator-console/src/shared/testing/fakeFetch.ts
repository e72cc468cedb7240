import { vi } from 'vitest';

/** Test support only (not imported by the app): a fetch stub answering "METHOD /path" routes. */

export type Route = (request: { url: string; body: unknown }) => Response;

export interface FakeFetch {
  routes: Record<string, Route>;
  requests: { method: string; url: string; body: unknown; headers: Record<string, string> }[];
  /** The requests to "METHOD /path" (query string ignored). */
  sent(method: string, path: string): { url: string; body: unknown }[];
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } });

export const noContent = () => new Response(null, { status: 204 });

/** problem+json with a field -> messages map, as ASP.NET validation problems are. */
export const validationProblem = (errors: Record<string, string[]>, title = 'One or more validation errors occurred.') =>
  json(400, { title, status: 400, errors });

export function stubFetch(): FakeFetch {
  const fake: FakeFetch = {
    routes: {},
    requests: [],
    sent: (method, path) => fake.requests.filter((r) => r.method === method && (r.url.split('?')[0] ?? r.url) === path),
  };
  vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const url = String(input);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    fake.requests.push({ method, url, body, headers: (init?.headers ?? {}) as Record<string, string> });
    const route = fake.routes[`${method} ${url.split('?')[0] ?? url}`];
    return route ? route({ url, body }) : json(404, { title: 'Not found', status: 404 });
  });
  return fake;
}

/** Lets pending promises and timers of 0 ms run (several rounds: calls chain). */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export const $ = <T extends HTMLElement = HTMLElement>(selector: string, root: ParentNode = document) => root.querySelector<T>(selector);
export const $$ = <T extends HTMLElement = HTMLElement>(selector: string, root: ParentNode = document) => [...root.querySelectorAll<T>(selector)];

/** Sets a field's value and fires input + change, as typing or choosing would. */
export function setValue(element: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null, value: string): void {
  if (!element) throw new Error('no such field');
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  element.dispatchEvent(new Event('change', { bubbles: true }));
}
