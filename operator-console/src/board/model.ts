import type { BoardKpi, BoardSkill, BoardSnapshot, BoardStatus, BoardTodayKpi } from '../shared/contract';

/** Pure helpers of the live board: which tiles exist and how their figures are written. */

export const NO_DATA = '—';

/** "Now" tiles, in order (data-kpi values). */
export const NOW_TILES = ['queue', 'longestWait', 'operatorsOnline', 'operatorsAway', 'operatorsBusy', 'activeChats', 'utilization'] as const;
export type NowTile = (typeof NOW_TILES)[number];

/** "Today" tiles, in order: the contract's KPI names. */
export const TODAY_TILES: readonly BoardKpi[] = ['frt.mean', 'aht.mean', 'abandonmentRate', 'csat.rate', 'nps'];

const STATUSES: readonly BoardStatus[] = ['green', 'amber', 'red'];

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Seconds -> m:ss (minutes may exceed 59); null -> "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (!finite(seconds)) return NO_DATA;
  const total = Math.max(0, Math.round(seconds));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** Fraction 0..1 -> "3.2%" (one decimal, in the UI language); null -> "—". */
export function formatPercent(fraction: number | null | undefined, language = 'en'): string {
  if (!finite(fraction)) return NO_DATA;
  return new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction);
}

export function formatCount(value: number | null | undefined, language = 'en'): string {
  if (!finite(value)) return NO_DATA;
  return new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(Math.round(value) || 0);
}

/** A today KPI value (or target) as shown on its tile. */
export function formatTodayValue(kpi: BoardKpi, value: number | null | undefined, language = 'en'): string {
  switch (kpi) {
    case 'frt.mean':
    case 'aht.mean':
      return formatDuration(value);
    case 'abandonmentRate':
    case 'csat.rate':
      return formatPercent(value, language);
    case 'nps':
      return formatCount(value, language);
  }
}

/** A "now" figure as shown on its tile. */
export function formatNowValue(tile: NowTile, snapshot: BoardSnapshot, language = 'en'): string {
  switch (tile) {
    case 'longestWait':
      return formatDuration(snapshot.longestWaitSeconds);
    case 'utilization':
      return formatPercent(snapshot.utilization, language);
    default:
      return formatCount(snapshot[tile], language);
  }
}

/** The entry of a today KPI in a list of figures (the team's or a skill's), or null when it has none. */
export function todayEntry(figures: unknown, kpi: BoardKpi): BoardTodayKpi | null {
  return (Array.isArray(figures) ? (figures as BoardTodayKpi[]) : []).find((entry) => entry?.kpi === kpi) ?? null;
}

/** The skills the snapshot shows on their own, skipping malformed entries. */
export function skillsOf(snapshot: BoardSnapshot): BoardSkill[] {
  return (Array.isArray(snapshot.skills) ? snapshot.skills : []).filter(
    (skill) => skill && typeof skill.skill === 'string' && typeof skill.name === 'string',
  );
}

/** The status only when it is one we know (anything else is treated as no status). */
export function knownStatus(status: unknown): BoardStatus | null {
  return STATUSES.includes(status as BoardStatus) ? (status as BoardStatus) : null;
}

/** Alerts with a message, as text. */
export function alertMessages(snapshot: BoardSnapshot): { kind: string; message: string }[] {
  if (!Array.isArray(snapshot.alerts)) return [];
  return snapshot.alerts
    .filter((alert) => alert && typeof alert.message === 'string' && alert.message.trim() !== '')
    .map((alert) => ({ kind: String(alert.kind ?? ''), message: alert.message }));
}

/** Server time of a snapshot in ms (NaN when unreadable). */
export function snapshotTime(snapshot: BoardSnapshot): number {
  return typeof snapshot.at === 'string' ? Date.parse(snapshot.at) : Number.NaN;
}

export function canSeeBoard(roles: readonly string[]): boolean {
  return roles.some((role) => ['manager', 'admin'].includes(role.toLowerCase()));
}
