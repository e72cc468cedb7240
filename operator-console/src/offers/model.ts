/** Whole seconds left until expiresAt, rounded up (so "1 s" shows until the very end); 0 when past or invalid. */
export function secondsLeft(expiresAt: string, now: number): number {
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return 0;
  return Math.max(0, Math.ceil((end - now) / 1000));
}
