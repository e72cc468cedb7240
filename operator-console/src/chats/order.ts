import type { ChatSummary } from '../shared/contract';

/** List order: open chats first, then ended ones; each group oldest request first (stable queue order). */
export function sortChats<T extends Pick<ChatSummary, 'conversationId' | 'status' | 'requestedAt'>>(chats: readonly T[]): T[] {
  return [...chats].sort((a, b) => {
    const endedA = a.status === 'ended' ? 1 : 0;
    const endedB = b.status === 'ended' ? 1 : 0;
    if (endedA !== endedB) return endedA - endedB;
    const timeA = Date.parse(a.requestedAt);
    const timeB = Date.parse(b.requestedAt);
    if (timeA !== timeB && !Number.isNaN(timeA) && !Number.isNaN(timeB)) return timeA - timeB;
    return a.conversationId.localeCompare(b.conversationId);
  });
}

/** Keyboard navigation (Alt+ArrowUp / Alt+ArrowDown): the neighbour in list order, clamped at the ends. */
export function neighbourChat(orderedIds: readonly string[], currentId: string | null, step: -1 | 1): string | null {
  if (orderedIds.length === 0) return null;
  const index = currentId === null ? -1 : orderedIds.indexOf(currentId);
  if (index < 0) return (step === 1 ? orderedIds[0] : orderedIds[orderedIds.length - 1]) ?? null;
  const next = Math.min(orderedIds.length - 1, Math.max(0, index + step));
  return orderedIds[next] ?? null;
}
