import { t } from '../i18n';

/** Whole minutes waited since requestedAt; 0 for unknown or future times (clock skew). */
export function waitedMinutes(requestedAt: string, now: number): number {
  const start = Date.parse(requestedAt);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((now - start) / 60_000));
}

/** "< 1 min", "2 min", "1 h 5 min". */
export function formatWaiting(requestedAt: string, now: number): string {
  const minutes = waitedMinutes(requestedAt, now);
  if (minutes < 1) return t('duration.lessThanMinute');
  if (minutes < 60) return t('duration.minutes', { minutes });
  return t('duration.hours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
