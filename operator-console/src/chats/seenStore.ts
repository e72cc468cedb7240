/** Remembers, per conversation, the highest sequence the operator has seen (survives reloads). */

const STORAGE_KEY = 'chatdesk.console.seen';

export function loadSeen(): Map<string, number> {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    const result = new Map<string, number>();
    if (parsed && typeof parsed === 'object') {
      for (const [id, value] of Object.entries(parsed)) {
        if (typeof value === 'number' && Number.isFinite(value)) result.set(id, value);
      }
    }
    return result;
  } catch {
    return new Map();
  }
}

/** Saves only the given conversations, which also prunes chats that are gone. */
export function saveSeen(seen: ReadonlyMap<string, number>): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(seen)));
  } catch {
    // Storage unavailable (private mode, quota): unread counts just restart after a reload.
  }
}
