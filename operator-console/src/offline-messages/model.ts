import type { OfflineMessage } from '../shared/contract';

/** Newest first (createdAt descending); unparsable times last; otherwise the given order is kept. */
export function sortNewestFirst(messages: readonly OfflineMessage[]): OfflineMessage[] {
  const time = (m: OfflineMessage) => {
    const value = Date.parse(m.createdAt);
    return Number.isNaN(value) ? -Infinity : value;
  };
  return [...messages].sort((a, b) => time(b) - time(a));
}

/** Merge by id; later lists win. */
export function mergeById(...lists: readonly (readonly OfflineMessage[])[]): OfflineMessage[] {
  const byId = new Map<string, OfflineMessage>();
  for (const list of lists) for (const message of list) byId.set(message.id, message);
  return [...byId.values()];
}

export function countUnhandled(messages: readonly OfflineMessage[]): number {
  return messages.filter((m) => !m.handled).length;
}

// Conservative: anything that could add mailto headers (?, &, #) or break out of the address is rejected.
const EMAIL = /^[^\s@<>()[\]\\,;:"'?&#%/]+@[^\s@<>()[\]\\,;:"'?&#%/]+\.[^\s@<>()[\]\\,;:"'?&#%/.]+$/;

/** A mailto: href built with the URL API for a plain address, or null (then the address is shown as text only). */
export function mailtoHref(email: string): string | null {
  if (!EMAIL.test(email)) return null;
  try {
    const url = new URL(`mailto:${email}`);
    return url.protocol === 'mailto:' && url.search === '' && url.hash === '' ? url.href : null;
  } catch {
    return null;
  }
}
