import { getJson, readProblem, type Problem } from '../shared/http';
import {
  filterParams,
  staffingQuery,
  withQuery,
  type ConversationRow,
  type Filters,
  type HeatCell,
  type KpiReport,
  type KpiTarget,
  type StaffingInput,
  type StaffingResult,
  type TrendPoint,
} from './model';

/** ok + value, or the problem (null = network error / unreadable answer). */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; problem: Problem | null };

async function getResult<T>(url: string): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await getJson(url);
  } catch {
    return { ok: false, problem: null };
  }
  if (!response.ok) return { ok: false, problem: await readProblem(response) };
  try {
    return { ok: true, value: (await response.json()) as T };
  } catch {
    return { ok: false, problem: null };
  }
}

export const kpiUrls = {
  // The operator table shows means: each operator's median and p90 are left to the server's single-operator report.
  report: (filters: Filters) => withQuery('/api/kpis', filterParams(filters, { operatorStats: 'mean' })),
  trend: (filters: Filters, kpi: string, interval: 'day' | 'week') =>
    withQuery('/api/kpis/trend', filterParams(filters, { interval, kpi })),
  heatmap: (filters: Filters) => withQuery('/api/kpis/heatmap', filterParams({ from: filters.from, to: filters.to, skill: '', operator: '' })),
  conversations: (filters: Filters, kpi: string) =>
    withQuery('/api/kpis/conversations', filterParams(filters, { kpi, sort: 'desc', limit: '50' })),
  conversationsCsv: (filters: Filters) => withQuery('/api/kpis/conversations.csv', filterParams(filters)),
  aggregatesCsv: (filters: Filters) => withQuery('/api/kpis/aggregates.csv', filterParams(filters)),
  targets: () => '/api/kpis/targets',
  staffing: (input: StaffingInput) => withQuery('/api/kpis/staffing', staffingQuery(input)),
};

export const fetchReport = (filters: Filters) => getResult<KpiReport>(kpiUrls.report(filters));
export const fetchTargets = () => getResult<KpiTarget[]>(kpiUrls.targets());
export const fetchTrend = (filters: Filters, kpi: string, interval: 'day' | 'week') =>
  getResult<TrendPoint[]>(kpiUrls.trend(filters, kpi, interval));
export const fetchHeatmap = (filters: Filters) => getResult<HeatCell[]>(kpiUrls.heatmap(filters));
export async function fetchConversations(filters: Filters, kpi: string): Promise<ApiResult<ConversationRow[]>> {
  const result = await getResult<unknown>(kpiUrls.conversations(filters, kpi));
  if (!result.ok) return result;
  // A plain array per the contract; a { rows | items } envelope is accepted too.
  const body = result.value;
  const rows = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null
      ? ((body as Record<string, unknown>).rows ?? (body as Record<string, unknown>).items)
      : undefined;
  if (!Array.isArray(rows)) return { ok: false, problem: null };
  return { ok: true, value: rows.filter((row): row is ConversationRow => typeof row === 'object' && row !== null) };
}
export const fetchStaffing = (input: StaffingInput) => getResult<StaffingResult>(kpiUrls.staffing(input));
