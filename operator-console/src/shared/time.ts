/** Time formatting shared by the features (language passed in: src/shared does not depend on i18n). */

export function formatClock(iso: string, language: string): { short: string; full: string } {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { short: '', full: '' };
  const sameDay = date.toDateString() === new Date().toDateString();
  return {
    short: new Intl.DateTimeFormat(language, sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(date),
    full: new Intl.DateTimeFormat(language, { dateStyle: 'full', timeStyle: 'medium' }).format(date),
  };
}

/** A <time> element with the short form as text and the full form as tooltip. */
export function timeElement(iso: string, language: string, className = ''): HTMLTimeElement {
  const { short, full } = formatClock(iso, language);
  const node = document.createElement('time');
  if (className) node.className = className;
  node.dateTime = iso;
  node.textContent = short;
  node.title = full;
  return node;
}

/** "m:ss" (or "h:mm:ss") for a countdown; 0 and below give "0:00". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
