/**
 * KPI dashboard model: the API shapes (docs/contract.md "KPI API"), value extraction and formatting,
 * target status rules (shared/kpis.md §5) and period/query helpers. No DOM here.
 */

export interface Stat {
  mean: number | null;
  median: number | null;
  p90: number | null;
  count: number;
}

export interface KpiSet {
  frt: Stat;
  asa: Stat;
  ata: Stat;
  aht: Stat;
  acw: Stat;
  resolutionTime: Stat;
  abandonmentRate: number | null;
  serviceLevel: number | null;
  resolutionRate: number | null;
  fcr: { rate: number | null; provisional: number; conversations: number };
  customerFcr: number | null;
  transferRate: number | null;
  utilization: number | null;
  concurrency: number | null;
  csat: { rate: number | null; mean: number | null };
  nps: number | null;
  ces: number | null;
  surveyResponseRate: number | null;
  volume: { requested: number; answered: number; abandoned: number; shortAbandoned: number; missed: number };
}

export interface OperatorKpis {
  operatorId: string;
  displayName: string;
  kpis: KpiSet;
}

export interface KpiReport {
  from: string;
  to: string;
  timeZone: string;
  /** null for an operator, who gets only their own figures (in operators). */
  team: KpiSet | null;
  operators: OperatorKpis[];
}

export interface TrendPoint {
  start: string;
  value: number | null;
}

export interface HeatCell {
  weekday: number;
  hour: number;
  requested: number;
}

export type Direction = 'higher' | 'lower';

export interface KpiTarget {
  id: string;
  kpi: string;
  skill: string | null;
  value: number;
  direction: Direction;
  period: 'week' | 'month';
}

export interface StaffingInput {
  arrivalsPerHour: number;
  ahtSeconds: number;
  concurrency: number;
  /** Fraction 0..1 (the form asks for a percentage). */
  serviceLevel: number;
  answerSeconds: number;
  hourlyCost: number;
}

export interface StaffingResult {
  operatorsNeeded: number;
  serviceLevel: number;
  occupancy: number;
  costPerConversation: number;
  probabilityOfWaiting: number;
}

/** A drill-down row; the server's columns, shown as text. */
export type ConversationRow = Record<string, unknown>;

// ---- the KPIs on the dashboard

export const KPI_KEYS = [
  'frt',
  'asa',
  'aht',
  'acw',
  'abandonmentRate',
  'serviceLevel',
  'resolutionRate',
  'fcr',
  'transferRate',
  'utilization',
  'csat',
  'nps',
  'ces',
  'surveyResponseRate',
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

export type KpiKind = 'duration' | 'rate' | 'score' | 'mean';

export const KPI_KIND: Record<KpiKey, KpiKind> = {
  frt: 'duration',
  asa: 'duration',
  aht: 'duration',
  acw: 'duration',
  abandonmentRate: 'rate',
  serviceLevel: 'rate',
  resolutionRate: 'rate',
  fcr: 'rate',
  transferRate: 'rate',
  utilization: 'rate',
  csat: 'rate',
  nps: 'score',
  ces: 'mean',
  surveyResponseRate: 'rate',
};

/** Direction used when no target says otherwise (for the operator table comparison). */
export const DEFAULT_DIRECTION: Record<KpiKey, Direction> = {
  frt: 'lower',
  asa: 'lower',
  aht: 'lower',
  acw: 'lower',
  abandonmentRate: 'lower',
  serviceLevel: 'higher',
  resolutionRate: 'higher',
  fcr: 'higher',
  transferRate: 'lower',
  utilization: 'higher',
  csat: 'higher',
  nps: 'higher',
  ces: 'higher',
  surveyResponseRate: 'higher',
};

/** Team-only KPIs (no operator was involved): not shown per operator. */
export const TEAM_ONLY: ReadonlySet<KpiKey> = new Set<KpiKey>(['abandonmentRate', 'serviceLevel']);

/** The `kpi` parameter of /api/kpis/trend for a dashboard KPI. */
export function trendKey(kpi: KpiKey): string {
  switch (kpi) {
    case 'frt':
    case 'asa':
    case 'aht':
    case 'acw':
      return `${kpi}.mean`;
    case 'fcr':
    case 'csat':
      return `${kpi}.rate`;
    default:
      return kpi;
  }
}

/** The headline value of a KPI in a set (means for durations, rates for FCR/CSAT); null = no data. */
export function kpiValue(set: KpiSet | null | undefined, kpi: KpiKey): number | null {
  if (!set) return null;
  const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  switch (kpi) {
    case 'frt':
    case 'asa':
    case 'aht':
    case 'acw':
      return finite(set[kpi]?.mean);
    case 'fcr':
      return finite(set.fcr?.rate);
    case 'csat':
      return finite(set.csat?.rate);
    default:
      return finite(set[kpi]);
  }
}

// ---- formatting

export const NO_DATA = '—';

/** Seconds -> m:ss (whole seconds; minutes may exceed 59). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NO_DATA;
  const total = Math.round(Math.abs(seconds));
  const sign = seconds < 0 && total > 0 ? '-' : '';
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  return `${sign}${minutes}:${String(rest).padStart(2, '0')}`;
}

/** Fraction 0..1 -> percentage with one decimal, in the UI language. */
export function formatRate(fraction: number | null, language = 'en'): string {
  if (fraction === null || !Number.isFinite(fraction)) return NO_DATA;
  return new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction);
}

export function formatInteger(value: number | null, language = 'en'): string {
  if (value === null || !Number.isFinite(value)) return NO_DATA;
  return new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(Math.round(value) || 0);
}

export function formatDecimal(value: number | null, language = 'en', digits = 1): string {
  if (value === null || !Number.isFinite(value)) return NO_DATA;
  return new Intl.NumberFormat(language, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function formatKpi(kpi: KpiKey, value: number | null, language = 'en'): string {
  switch (KPI_KIND[kpi]) {
    case 'duration':
      return formatDuration(value);
    case 'rate':
      return formatRate(value, language);
    case 'score':
      return formatInteger(value, language);
    case 'mean':
      return formatDecimal(value, language);
  }
}

// ---- targets

export type TargetStatus = 'green' | 'amber' | 'red';

/**
 * Green when the target is met, amber when within 10 % of the target (relative to the target's
 * magnitude), red otherwise. Null value = no status.
 */
export function targetStatus(value: number | null, target: number, direction: Direction): TargetStatus | null {
  if (value === null || !Number.isFinite(value) || !Number.isFinite(target)) return null;
  const tolerance = Math.abs(target) * 0.1;
  const EPS = 1e-9;
  if (direction === 'higher') {
    if (value >= target - EPS) return 'green';
    if (value >= target - tolerance - EPS) return 'amber';
    return 'red';
  }
  if (value <= target + EPS) return 'green';
  if (value <= target + tolerance + EPS) return 'amber';
  return 'red';
}

/** "frt", "frt.mean", "csat.rate" all name the dashboard KPI "frt"/"csat". */
export function targetKpi(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * The target that applies to a KPI: one for the selected skill wins over a general one (skill null);
 * among those, the one whose period fits the range (month for ranges of 28 days or more, else week).
 */
export function pickTarget(targets: readonly KpiTarget[], kpi: KpiKey, skill: string, rangeDays: number): KpiTarget | null {
  const wanted = skill.trim().toLowerCase();
  const forKpi = targets.filter((target) => targetKpi(target.kpi) === kpi);
  const bySkill = wanted ? forKpi.filter((target) => (target.skill ?? '').toLowerCase() === wanted) : [];
  const pool = bySkill.length > 0 ? bySkill : forKpi.filter((target) => target.skill === null || target.skill === '');
  if (pool.length === 0) return null;
  const period = rangeDays >= 28 ? 'month' : 'week';
  return pool.find((target) => target.period === period) ?? pool[0] ?? null;
}

// ---- periods and queries

export type Preset = 'today' | 'yesterday' | 'thisWeek' | 'thisMonth' | 'custom';
export const PRESETS: readonly Preset[] = ['today', 'yesterday', 'thisWeek', 'thisMonth', 'custom'];

export function isoDate(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export function isIsoDate(value: string): boolean {
  if (!DATE_RE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** from/to (inclusive, YYYY-MM-DD) of a preset, in the browser's calendar; weeks start on Monday. */
export function presetRange(preset: Exclude<Preset, 'custom'>, now: Date): { from: string; to: string } {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  switch (preset) {
    case 'today':
      return { from: isoDate(day), to: isoDate(day) };
    case 'yesterday': {
      const y = new Date(day.getFullYear(), day.getMonth(), day.getDate() - 1);
      return { from: isoDate(y), to: isoDate(y) };
    }
    case 'thisWeek': {
      const mondayOffset = (day.getDay() + 6) % 7;
      const monday = new Date(day.getFullYear(), day.getMonth(), day.getDate() - mondayOffset);
      return { from: isoDate(monday), to: isoDate(day) };
    }
    case 'thisMonth':
      return { from: isoDate(new Date(day.getFullYear(), day.getMonth(), 1)), to: isoDate(day) };
  }
}

/** Whole days from..to inclusive. */
export function rangeDays(from: string, to: string): number {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return 0;
  return Math.round((b - a) / 86_400_000) + 1;
}

export interface Filters {
  from: string;
  to: string;
  skill: string;
  operator: string;
}

/** from, to, then skill and operator when set (empty ones are left out). */
export function filterParams(filters: Filters, extra: Record<string, string> = {}): URLSearchParams {
  const params = new URLSearchParams();
  params.set('from', filters.from);
  params.set('to', filters.to);
  if (filters.skill.trim()) params.set('skill', filters.skill.trim());
  if (filters.operator) params.set('operator', filters.operator);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params;
}

export function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

export function staffingQuery(input: StaffingInput): URLSearchParams {
  const params = new URLSearchParams();
  params.set('arrivalsPerHour', String(input.arrivalsPerHour));
  params.set('ahtSeconds', String(input.ahtSeconds));
  params.set('concurrency', String(input.concurrency));
  params.set('serviceLevel', String(input.serviceLevel));
  params.set('answerSeconds', String(input.answerSeconds));
  params.set('hourlyCost', String(input.hourlyCost));
  return params;
}

/** Signed operator difference: "+5", "-2", "±0". */
export function signedDelta(delta: number, language = 'en'): string {
  if (delta === 0) return '±0';
  const text = new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(Math.abs(delta));
  return delta > 0 ? `+${text}` : `-${text}`;
}

export function formatMoney(value: number | null, language = 'en'): string {
  if (value === null || !Number.isFinite(value)) return NO_DATA;
  return new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** Heat map colour for a count: white (0) to the accent blue (max). */
export function heatColor(value: number, max: number): string {
  if (max <= 0 || value <= 0) return 'rgb(255 255 255)';
  const ratio = Math.min(1, value / max);
  const mix = (from: number, to: number) => Math.round(from + (to - from) * ratio);
  return `rgb(${mix(255, 37)} ${mix(255, 99)} ${mix(255, 235)})`;
}
