import type { WrapUpDisposition, WrapUpRequest } from '../shared/contract';

/** "a, b,,  c " -> ["a", "b", "c"]: trimmed, no empty ones, no duplicates (case-insensitive, first spelling kept). */
export function parseTags(raw: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const part of raw.split(',')) {
    const tag = part.trim();
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

/** CompleteWrapUp payload: notes and tags only when given. */
export function wrapUpRequest(disposition: WrapUpDisposition, notes: string, tags: string): WrapUpRequest {
  const request: WrapUpRequest = { disposition };
  const trimmed = notes.trim();
  if (trimmed !== '') request.notes = trimmed;
  const list = parseTags(tags);
  if (list.length > 0) request.tags = list;
  return request;
}
