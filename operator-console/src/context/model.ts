import type { VisitedPage } from '../shared/contract';

/** Pages from GetChat plus live "VisitorNavigated" ones: unique by (url, at), oldest first. */
export function mergePages(fromDetail: readonly VisitedPage[], live: readonly VisitedPage[]): VisitedPage[] {
  const byKey = new Map<string, VisitedPage>();
  for (const page of [...fromDetail, ...live]) {
    const key = `${page.at}\u0000${page.url}`;
    if (!byKey.has(key)) byKey.set(key, page);
  }
  return [...byKey.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
