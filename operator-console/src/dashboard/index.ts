import { getLanguage, t, type MessageKey } from '../i18n';
import { el } from '../shared/dom';
import type { Problem } from '../shared/http';
import { fetchConversations, fetchHeatmap, fetchReport, fetchStaffing, fetchTargets, fetchTrend, kpiUrls, type ApiResult } from './api';
import {
  DEFAULT_DIRECTION,
  KPI_KEYS,
  NO_DATA,
  PRESETS,
  TEAM_ONLY,
  formatDecimal,
  formatDuration,
  formatInteger,
  formatKpi,
  formatMoney,
  formatRate,
  heatColor,
  isIsoDate,
  kpiValue,
  pickTarget,
  presetRange,
  rangeDays,
  signedDelta,
  targetStatus,
  trendKey,
  type ConversationRow,
  type Filters,
  type HeatCell,
  type KpiKey,
  type KpiReport,
  type KpiSet,
  type KpiTarget,
  type Preset,
  type StaffingInput,
  type StaffingResult,
  type TrendPoint,
} from './model';
import { createTargetsEditor } from './targetsEditor';
import type { TrendRenderer, TrendSeries } from './trendChart';

export type { TrendRenderer, TrendSeries } from './trendChart';

export interface DashboardOptions {
  /** Roles from GET /api/auth/me; Manager or Admin see team figures and the operator table. */
  roles: readonly string[];
  /** Clock for the period presets (tests). */
  now?: () => Date;
  /** Loads the chart code; by default a dynamic import of Chart.js (kept out of the initial bundle). */
  loadTrendChart?: () => Promise<(canvas: HTMLCanvasElement) => TrendRenderer>;
}

export interface Dashboard {
  /** Header button that opens the dashboard. */
  button: HTMLButtonElement;
  /** The full-page panel (hidden until opened). */
  element: HTMLElement;
  open(): Promise<void>;
  close(): void;
  /** Resolves when the loads started so far have finished (tests). */
  settled(): Promise<void>;
}

export function canSeeTeam(roles: readonly string[]): boolean {
  return roles.some((role) => ['manager', 'admin'].includes(role.toLowerCase()));
}

/** Problem -> one readable line: title and detail from problem+json, else a generic message. */
export function problemText(problem: Problem | null): string {
  if (problem === null) return t('dashboard.network');
  const parts: string[] = [];
  if (problem.title) parts.push(problem.title);
  if (problem.detail && problem.detail !== problem.title) parts.push(problem.detail);
  parts.push(...problem.errors);
  if (parts.length > 0) return parts.join(' — ');
  if (problem.status === 403) return t('dashboard.forbidden');
  return t('dashboard.failed', { status: problem.status });
}

const kpiName = (kpi: KpiKey) => t(`dashboard.kpi.${kpi}`);

const defaultLoadTrendChart = () => import('./trendChart').then((module) => module.createTrendChart);

/** Columns of the drill-down table, in order, and how each is shown. */
const DRILL_COLUMNS = [
  'requestedAt',
  'visitorName',
  'topic',
  'owner',
  'outcome',
  'wait',
  'frt',
  'handleTime',
  'acw',
  'transfers',
  'disposition',
  'csat',
  'nps',
  'ces',
  'resolved',
  'fcr',
] as const;
type DrillColumn = (typeof DRILL_COLUMNS)[number];
const DURATION_COLUMNS: ReadonlySet<DrillColumn> = new Set<DrillColumn>(['wait', 'frt', 'handleTime', 'acw']);

/**
 * The KPI dashboard (full-page panel opened from the header): filters, KPI cards with targets, trend,
 * operator table, weekday x hour heat map, drill-down into conversations, CSV links and a staffing
 * calculator. Managers/admins see team parts; operators only their own figures.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const team = canSeeTeam(options.roles);
  const now = options.now ?? (() => new Date());
  const loadTrendChart = options.loadTrendChart ?? defaultLoadTrendChart;
  const language = () => getLanguage();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };

  let targets: KpiTarget[] = [];
  let targetsLoaded = false;
  let report: KpiReport | null = null;
  const knownOperators = new Map<string, string>();
  let drillKpi: KpiKey | null = null;
  let chart: TrendRenderer | null = null;
  let chartLoading: Promise<TrendRenderer | null> | null = null;
  const seq = { report: 0, trend: 0, heatmap: 0, drill: 0, staffing: 0 };

  // ---- header button and panel skeleton
  const button = el('button', {
    className: 'secondary',
    testId: 'dashboard-open',
    text: t('dashboard.open'),
    attrs: { type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false' },
  });
  const closeButton = el('button', { className: 'secondary', testId: 'dashboard-close', text: t('dashboard.close'), attrs: { type: 'button' } });

  const field = (label: string, input: HTMLElement) => el('label', { className: 'field' }, el('span', { text: label }), input);

  // ---- filters
  const preset = el(
    'select',
    { testId: 'dashboard-preset', attrs: { name: 'preset' } },
    ...PRESETS.map((p) => el('option', { text: t(`dashboard.preset.${p}`), attrs: { value: p } })),
  );
  preset.value = 'today';
  const fromInput = el('input', { testId: 'dashboard-from', attrs: { type: 'date', name: 'from' } });
  const toInput = el('input', { testId: 'dashboard-to', attrs: { type: 'date', name: 'to' } });
  const customDates = el('span', { className: 'dashboard-custom' }, field(t('dashboard.from'), fromInput), field(t('dashboard.to'), toInput));
  customDates.hidden = true;
  const skillInput = el('input', {
    testId: 'dashboard-skill',
    attrs: { type: 'text', name: 'skill', placeholder: t('dashboard.skillPlaceholder'), autocomplete: 'off' },
  });
  const operatorSelect = el('select', { testId: 'dashboard-operator', attrs: { name: 'operator' } });
  const operatorField = field(t('dashboard.operator'), operatorSelect);
  operatorField.hidden = !team;
  const filterError = el('p', { className: 'form-error', testId: 'dashboard-filter-error', attrs: { role: 'alert' } });
  filterError.hidden = true;

  const csvConversations = el('a', {
    testId: 'kpi-csv-conversations',
    text: t('dashboard.csvConversations'),
    attrs: { download: 'conversations.csv' },
  });
  const csvAggregates = el('a', { testId: 'kpi-csv-aggregates', text: t('dashboard.csvAggregates'), attrs: { download: 'kpis.csv' } });

  const filtersBar = el(
    'form',
    { className: 'dashboard-filters', testId: 'dashboard-filters', attrs: { 'aria-label': t('dashboard.filters') } },
    field(t('dashboard.period'), preset),
    customDates,
    field(t('dashboard.skill'), skillInput),
    operatorField,
    el('span', { className: 'dashboard-csv' }, csvConversations, csvAggregates),
  );

  // ---- report: range line, cards, volume
  const loading = el('p', { className: 'dashboard-loading', testId: 'dashboard-loading', text: t('dashboard.loading'), attrs: { role: 'status' } });
  loading.hidden = true;
  const reportError = el('p', { className: 'panel-error', testId: 'dashboard-error', attrs: { role: 'alert' } });
  reportError.hidden = true;
  const rangeLine = el('p', { className: 'dashboard-range', testId: 'dashboard-range' });
  const volumeLine = el('p', { className: 'dashboard-volume', testId: 'dashboard-volume' });
  const cards = el('div', { className: 'kpi-cards', testId: 'kpi-cards' });

  // ---- drill-down
  const drillTitle = el('h3', { className: 'dashboard-subheading' });
  const drillClose = el('button', { className: 'secondary', text: t('dashboard.drillClose'), attrs: { type: 'button' } });
  const drillStatus = el('p', { className: 'dashboard-loading', text: t('dashboard.loading'), attrs: { role: 'status' } });
  const drillError = el('p', { className: 'panel-error', testId: 'kpi-conversations-error', attrs: { role: 'alert' } });
  const drillBody = el('div', { className: 'dashboard-scroll' });
  const drill = el(
    'section',
    { className: 'dashboard-section dashboard-drill', testId: 'kpi-drilldown' },
    el('div', { className: 'dashboard-section-header' }, drillTitle, el('span', { className: 'spacer' }), drillClose),
    drillStatus,
    drillError,
    drillBody,
  );
  drill.hidden = true;

  // ---- trend
  const trendKpiSelect = el(
    'select',
    { testId: 'trend-kpi', attrs: { name: 'trendKpi' } },
    ...KPI_KEYS.map((kpi) => el('option', { text: kpiName(kpi), attrs: { value: kpi } })),
  );
  const intervalSelect = el(
    'select',
    { testId: 'trend-interval', attrs: { name: 'interval' } },
    el('option', { text: t('dashboard.interval.day'), attrs: { value: 'day' } }),
    el('option', { text: t('dashboard.interval.week'), attrs: { value: 'week' } }),
  );
  const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': t('dashboard.trendHeading') } });
  const chartBox = el('div', { className: 'trend-chart', testId: 'trend-chart' }, canvas);
  const trendStatus = el('p', { className: 'dashboard-loading', text: t('dashboard.loading'), attrs: { role: 'status' } });
  trendStatus.hidden = true;
  const trendError = el('p', { className: 'panel-error', testId: 'trend-error', attrs: { role: 'alert' } });
  trendError.hidden = true;
  const trendEmpty = el('p', { className: 'panel-empty', text: t('dashboard.trendEmpty') });
  trendEmpty.hidden = true;
  const trendTable = el('table', { className: 'dashboard-table', testId: 'trend-table' });
  const trendDetails = el('details', { className: 'trend-data' }, el('summary', { text: t('dashboard.trendData') }), trendTable);
  const trendSection = el(
    'section',
    { className: 'dashboard-section', testId: 'trend' },
    el(
      'div',
      { className: 'dashboard-section-header' },
      el('h3', { className: 'dashboard-subheading', text: t('dashboard.trendHeading') }),
      el('span', { className: 'spacer' }),
      field(t('dashboard.trendKpi'), trendKpiSelect),
      field(t('dashboard.interval'), intervalSelect),
    ),
    trendStatus,
    trendError,
    trendEmpty,
    chartBox,
    trendDetails,
  );

  // ---- operator table (managers/admins)
  const operatorTable = el('table', { className: 'dashboard-table operator-table', testId: 'operator-table' });
  const operatorsEmpty = el('p', { className: 'panel-empty', text: t('dashboard.operatorsEmpty') });
  operatorsEmpty.hidden = true;
  const operatorsSection = el(
    'section',
    { className: 'dashboard-section', testId: 'operators-section' },
    el('h3', { className: 'dashboard-subheading', text: t('dashboard.operatorsHeading') }),
    el('div', { className: 'dashboard-scroll' }, operatorTable),
    operatorsEmpty,
  );
  operatorsSection.hidden = !team;

  // ---- heat map (managers/admins: a team volume figure)
  const heatmapTable = el('table', { className: 'heatmap', testId: 'heatmap' });
  const heatmapStatus = el('p', { className: 'dashboard-loading', text: t('dashboard.loading'), attrs: { role: 'status' } });
  heatmapStatus.hidden = true;
  const heatmapError = el('p', { className: 'panel-error', testId: 'heatmap-error', attrs: { role: 'alert' } });
  heatmapError.hidden = true;
  const heatmapEmpty = el('p', { className: 'panel-empty', text: t('dashboard.heatmapEmpty') });
  heatmapEmpty.hidden = true;
  const heatmapSection = el(
    'section',
    { className: 'dashboard-section', testId: 'heatmap-section' },
    el('h3', { className: 'dashboard-subheading', text: t('dashboard.heatmapHeading') }),
    heatmapStatus,
    heatmapError,
    heatmapEmpty,
    el('div', { className: 'dashboard-scroll' }, heatmapTable),
  );
  heatmapSection.hidden = !team;

  // ---- staffing calculator
  const numberInput = (name: string, value: string, min: string, step = 'any') =>
    el('input', { attrs: { type: 'number', name, value, min, step, required: '' } });
  const sArrivals = numberInput('arrivalsPerHour', '60', '0');
  const sAht = numberInput('ahtSeconds', '480', '1');
  const sConcurrency = numberInput('concurrency', '2', '1');
  const sGoal = numberInput('serviceLevelGoal', '80', '1');
  const sAnswer = numberInput('answerSeconds', '30', '1');
  const sWhatIf = numberInput('whatIfAnswerSeconds', '20', '1');
  const sCost = numberInput('hourlyCost', '25', '0');
  const sSubmit = el('button', { testId: 'staffing-submit', text: t('dashboard.staffing.submit'), attrs: { type: 'submit' } });
  const sError = el('p', { className: 'form-error', testId: 'staffing-error', attrs: { role: 'alert' } });
  sError.hidden = true;
  const sResult = el('table', { className: 'dashboard-table staffing-result', testId: 'staffing-result' });
  sResult.hidden = true;
  const sDiff = el('p', { className: 'staffing-diff', testId: 'staffing-diff', attrs: { role: 'status' } });
  sDiff.hidden = true;
  const staffing = el(
    'form',
    { className: 'dashboard-section staffing', testId: 'staffing', attrs: { novalidate: '' } },
    el('h3', { className: 'dashboard-subheading', text: t('dashboard.staffingHeading') }),
    el(
      'div',
      { className: 'staffing-fields' },
      field(t('dashboard.staffing.arrivals'), sArrivals),
      field(t('dashboard.staffing.aht'), sAht),
      field(t('dashboard.staffing.concurrency'), sConcurrency),
      field(t('dashboard.staffing.goal'), sGoal),
      field(t('dashboard.staffing.answer'), sAnswer),
      field(t('dashboard.staffing.whatIf'), sWhatIf),
      field(t('dashboard.staffing.cost'), sCost),
    ),
    el('div', { className: 'form-actions' }, sSubmit),
    sError,
    sResult,
    sDiff,
  );

  // ---- KPI targets (managers/admins): saved, they are read again with the next report
  const targetsEditor = createTargetsEditor(() => {
    targetsLoaded = false;
    refresh();
  });
  targetsEditor.element.hidden = !team;

  const heading = el('h2', { text: team ? t('dashboard.heading') : t('dashboard.ownHeading'), attrs: { id: 'dashboard-title' } });
  const cardsHeading = el('h3', { className: 'dashboard-subheading', text: team ? t('dashboard.teamHeading') : t('dashboard.ownHeading') });
  const body = el(
    'div',
    { className: 'dashboard-body' },
    filtersBar,
    filterError,
    loading,
    reportError,
    el(
      'section',
      { className: 'dashboard-section', testId: 'kpi-section' },
      el('div', { className: 'dashboard-section-header' }, cardsHeading, el('span', { className: 'spacer' }), rangeLine),
      el('p', { className: 'hint-inline', text: t('dashboard.cardHint') }),
      cards,
      volumeLine,
    ),
    targetsEditor.element,
    drill,
    trendSection,
    operatorsSection,
    heatmapSection,
    staffing,
  );
  const element = el(
    'section',
    {
      className: 'dashboard',
      testId: 'dashboard',
      attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'dashboard-title' },
    },
    el(
      'div',
      { className: 'dashboard-box' },
      el('header', { className: 'dashboard-header' }, heading, el('span', { className: 'spacer' }), closeButton),
      body,
    ),
  );
  element.hidden = true;

  // ---- helpers
  const showText = (node: HTMLElement, text: string | null) => {
    node.textContent = text ?? '';
    node.hidden = text === null;
  };

  const currentFilters = (): Filters | null => {
    let from: string;
    let to: string;
    const selected = preset.value as Preset;
    if (selected === 'custom') {
      from = fromInput.value;
      to = toInput.value;
      if (!isIsoDate(from) || !isIsoDate(to) || from > to) return null;
    } else {
      ({ from, to } = presetRange(selected, now()));
    }
    return { from, to, skill: skillInput.value.trim(), operator: team ? operatorSelect.value : '' };
  };

  const renderOperatorOptions = () => {
    const selected = operatorSelect.value;
    const sorted = [...knownOperators.entries()].sort((a, b) => a[1].localeCompare(b[1]));
    operatorSelect.replaceChildren(
      el('option', { text: t('dashboard.allOperators'), attrs: { value: '' } }),
      ...sorted.map(([id, name]) => el('option', { text: name, attrs: { value: id } })),
    );
    operatorSelect.value = knownOperators.has(selected) ? selected : '';
  };
  renderOperatorOptions();

  const targetFor = (kpi: KpiKey, filters: Filters) => pickTarget(targets, kpi, filters.skill, rangeDays(filters.from, filters.to));

  const formatTarget = (kpi: KpiKey, target: KpiTarget) =>
    t(target.direction === 'higher' ? 'dashboard.targetHigher' : 'dashboard.targetLower', {
      value: formatKpi(kpi, target.value, language()),
    });

  // ---- cards
  const cardDetail = (kpi: KpiKey, set: KpiSet | null): string | null => {
    if (!set) return null;
    const lang = language();
    switch (kpi) {
      case 'frt':
      case 'asa':
      case 'aht':
      case 'acw': {
        const stat = set[kpi];
        if (!stat || stat.count === 0) return null;
        return t('dashboard.statDetail', { median: formatDuration(stat.median), p90: formatDuration(stat.p90), count: stat.count });
      }
      case 'csat':
        return set.csat?.mean === null || set.csat?.mean === undefined ? null : t('dashboard.csatMean', { value: formatDecimal(set.csat.mean, lang) });
      default:
        return null;
    }
  };

  const cardHint = (kpi: KpiKey, value: number | null): { key: MessageKey; warn: boolean } | null => {
    if (!team) return null;
    if (kpi === 'aht') return { key: 'dashboard.hint.aht', warn: false };
    if (kpi === 'utilization')
      return value !== null && value > 0.6 ? { key: 'dashboard.hint.utilizationHigh', warn: true } : { key: 'dashboard.hint.utilization', warn: false };
    if (kpi === 'nps') return { key: 'dashboard.hint.nps', warn: false };
    return null;
  };

  const renderCards = (set: KpiSet | null, filters: Filters) => {
    const lang = language();
    cards.replaceChildren(
      ...KPI_KEYS.map((kpi) => {
        const value = kpiValue(set, kpi);
        const valueText = formatKpi(kpi, value, lang);
        const valueNode = el('span', {
          className: value === null ? 'kpi-value no-data' : 'kpi-value',
          testId: 'kpi-value',
          text: valueText,
        });
        if (value === null) valueNode.title = t('dashboard.noData');
        const card = el(
          'article',
          {
            className: 'kpi-card',
            testId: 'kpi-card',
            attrs: { 'data-kpi': kpi, role: 'button', tabindex: '0', 'aria-label': `${kpiName(kpi)}: ${value === null ? t('dashboard.noData') : valueText}` },
          },
          el('span', { className: 'kpi-name', text: kpiName(kpi) }),
          valueNode,
        );
        if (kpi === 'fcr') {
          card.append(el('span', { className: 'kpi-detail', testId: 'kpi-provisional', text: t('dashboard.provisional', { count: set?.fcr?.provisional ?? 0 }) }));
        }
        const detail = cardDetail(kpi, set);
        if (detail) card.append(el('span', { className: 'kpi-detail', text: detail }));
        const target = targetFor(kpi, filters);
        const targetLine = el('span', { className: 'kpi-target', testId: 'kpi-target', text: target ? formatTarget(kpi, target) : t('dashboard.noTarget') });
        card.append(targetLine);
        const status = target ? targetStatus(value, target.value, target.direction) : null;
        if (status) {
          card.dataset.status = status;
          card.append(el('span', { className: `status-chip ${status}`, testId: 'kpi-status', text: t(`dashboard.status.${status}`), attrs: { 'data-status': status } }));
        }
        const hint = cardHint(kpi, value);
        if (hint) card.append(el('span', { className: hint.warn ? 'kpi-hint warn' : 'kpi-hint', text: t(hint.key) }));
        const openDrill = () => void showDrill(kpi);
        card.addEventListener('click', openDrill);
        card.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            openDrill();
          }
        });
        return card;
      }),
    );
  };

  // ---- operator table
  const operatorKpis = KPI_KEYS.filter((kpi) => !TEAM_ONLY.has(kpi));
  const compare = (kpi: KpiKey, value: number | null, teamValue: number | null, filters: Filters): 'better' | 'worse' | null => {
    if (value === null || teamValue === null || value === teamValue) return null;
    const direction = targetFor(kpi, filters)?.direction ?? DEFAULT_DIRECTION[kpi];
    const better = direction === 'higher' ? value > teamValue : value < teamValue;
    return better ? 'better' : 'worse';
  };

  const renderOperatorTable = (data: KpiReport, filters: Filters) => {
    const lang = language();
    const headRow = el('tr', {}, el('th', { text: t('dashboard.operatorColumn'), attrs: { scope: 'col' } }), ...operatorKpis.map((kpi) => el('th', { text: kpiName(kpi), attrs: { scope: 'col' } })));
    const teamRow = el(
      'tr',
      { className: 'team-row', testId: 'operator-team-row' },
      el('th', { text: t('dashboard.teamRow'), attrs: { scope: 'row' } }),
      ...operatorKpis.map((kpi) => el('td', { text: formatKpi(kpi, kpiValue(data.team, kpi), lang), attrs: { 'data-kpi': kpi } })),
    );
    const rows = data.operators.map((operator) =>
      el(
        'tr',
        { testId: 'operator-row', attrs: { 'data-operator-id': operator.operatorId } },
        el('th', { text: operator.displayName, attrs: { scope: 'row' } }),
        ...operatorKpis.map((kpi) => {
          const value = kpiValue(operator.kpis, kpi);
          const cell = el('td', { text: formatKpi(kpi, value, lang), attrs: { 'data-kpi': kpi } });
          const result = compare(kpi, value, kpiValue(data.team, kpi), filters);
          if (result) {
            cell.dataset.compare = result;
            cell.title = t(result === 'better' ? 'dashboard.better' : 'dashboard.worse');
          }
          return cell;
        }),
      ),
    );
    operatorTable.replaceChildren(el('thead', {}, headRow), el('tbody', {}, teamRow, ...rows));
    operatorsEmpty.hidden = data.operators.length > 0;
  };

  // ---- loads
  const loadReport = async (filters: Filters) => {
    const id = ++seq.report;
    loading.hidden = false;
    body.setAttribute('aria-busy', 'true');
    const [result, targetResult] = await Promise.all([
      fetchReport(filters),
      targetsLoaded ? Promise.resolve<ApiResult<KpiTarget[]> | null>(null) : fetchTargets(),
    ]);
    if (id !== seq.report) return;
    loading.hidden = true;
    body.removeAttribute('aria-busy');
    const errors: string[] = [];
    if (targetResult) {
      if (targetResult.ok && Array.isArray(targetResult.value)) {
        targets = targetResult.value;
        targetsLoaded = true;
        if (team) targetsEditor.show(targets);
      } else if (!targetResult.ok) {
        errors.push(problemText(targetResult.problem));
      }
    }
    if (!result.ok) {
      errors.unshift(problemText(result.problem));
      showText(reportError, errors.join(' '));
      report = null;
      cards.replaceChildren();
      rangeLine.textContent = '';
      volumeLine.textContent = '';
      operatorTable.replaceChildren();
      return;
    }
    showText(reportError, errors.length > 0 ? errors.join(' ') : null);
    report = result.value;
    rangeLine.textContent = t('dashboard.range', { from: report.from ?? filters.from, to: report.to ?? filters.to, timeZone: report.timeZone ?? '' });
    const volume = report.team?.volume;
    volumeLine.textContent = volume
      ? t('dashboard.volume', {
          requested: formatInteger(volume.requested, language()),
          answered: formatInteger(volume.answered, language()),
          abandoned: formatInteger(volume.abandoned, language()),
          missed: formatInteger(volume.missed, language()),
        })
      : '';
    // An operator's cards are their own figures: the report has no team figures for them.
    renderCards(report.team ?? (Array.isArray(report.operators) ? report.operators[0]?.kpis : undefined) ?? null, filters);
    if (team) {
      const operators = Array.isArray(report.operators) ? report.operators : [];
      report.operators = operators;
      let added = false;
      for (const operator of operators) {
        if (knownOperators.get(operator.operatorId) !== operator.displayName) {
          knownOperators.set(operator.operatorId, operator.displayName);
          added = true;
        }
      }
      if (added) renderOperatorOptions();
      renderOperatorTable(report, filters);
    }
  };

  const ensureChart = (): Promise<TrendRenderer | null> => {
    if (chart) return Promise.resolve(chart);
    chartLoading ??= loadTrendChart()
      .then((create) => {
        chart = create(canvas);
        return chart;
      })
      .catch(() => {
        chartLoading = null;
        return null;
      });
    return chartLoading;
  };

  const pointLabel = (start: string) => {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(start) ? new Date(`${start}T00:00:00`) : new Date(start);
    if (Number.isNaN(date.getTime())) return start;
    return new Intl.DateTimeFormat(language(), { day: 'numeric', month: 'short' }).format(date);
  };

  const loadTrend = async (filters: Filters) => {
    const id = ++seq.trend;
    const kpi = trendKpiSelect.value as KpiKey;
    const interval = intervalSelect.value === 'week' ? 'week' : 'day';
    trendStatus.hidden = false;
    const result = await fetchTrend(filters, trendKey(kpi), interval);
    if (id !== seq.trend) return;
    trendStatus.hidden = true;
    if (!result.ok || !Array.isArray(result.value)) {
      showText(trendError, problemText(result.ok ? null : result.problem));
      trendTable.replaceChildren();
      chartBox.hidden = true;
      trendEmpty.hidden = true;
      return;
    }
    showText(trendError, null);
    const points: TrendPoint[] = result.value;
    const lang = language();
    const format = (value: number | null) => formatKpi(kpi, value, lang);
    trendTable.replaceChildren(
      el('thead', {}, el('tr', {}, el('th', { text: t('dashboard.trendStart'), attrs: { scope: 'col' } }), el('th', { text: t('dashboard.trendValue'), attrs: { scope: 'col' } }))),
      el('tbody', {}, ...points.map((point) => el('tr', { testId: 'trend-row' }, el('td', { text: pointLabel(point.start) }), el('td', { text: format(point.value) })))),
    );
    const hasData = points.some((point) => point.value !== null);
    trendEmpty.hidden = hasData;
    chartBox.hidden = !hasData;
    if (!hasData) return;
    const renderer = await ensureChart();
    if (id !== seq.trend) return;
    if (!renderer) {
      showText(trendError, t('dashboard.chartFailed'));
      chartBox.hidden = true;
      trendDetails.open = true;
      return;
    }
    const series: TrendSeries = { labels: points.map((p) => pointLabel(p.start)), values: points.map((p) => p.value), label: kpiName(kpi), format };
    try {
      renderer.update(series);
    } catch {
      showText(trendError, t('dashboard.chartFailed'));
      trendDetails.open = true;
    }
  };

  const renderHeatmap = (cells: HeatCell[]) => {
    const counts = new Map<string, number>();
    let max = 0;
    for (const cell of cells) {
      if (!Number.isInteger(cell.weekday) || !Number.isInteger(cell.hour)) continue;
      const key = `${cell.weekday}-${cell.hour}`;
      const value = (counts.get(key) ?? 0) + (Number.isFinite(cell.requested) ? cell.requested : 0);
      counts.set(key, value);
      max = Math.max(max, value);
    }
    const hours = Array.from({ length: 24 }, (_, hour) => hour);
    const days = Array.from({ length: 7 }, (_, day) => day);
    heatmapTable.replaceChildren(
      el('thead', {}, el('tr', {}, el('th', {}), ...hours.map((hour) => el('th', { text: String(hour), attrs: { scope: 'col' } })))),
      el(
        'tbody',
        {},
        ...days.map((day) => {
          const dayName = t(`dashboard.weekday.${day}` as MessageKey);
          return el(
            'tr',
            {},
            el('th', { text: dayName, attrs: { scope: 'row' } }),
            ...hours.map((hour) => {
              const value = counts.get(`${day}-${hour}`) ?? 0;
              const td = el('td', {
                testId: 'heatmap-cell',
                text: value > 0 ? String(value) : '',
                attrs: { 'data-weekday': String(day), 'data-hour': String(hour), 'data-value': String(value), title: t('dashboard.heatmapCell', { day: dayName, hour, count: value }) },
              });
              td.style.backgroundColor = heatColor(value, max);
              if (max > 0 && value / max > 0.55) td.classList.add('dark');
              return td;
            }),
          );
        }),
      ),
    );
    heatmapEmpty.hidden = max > 0;
  };

  const loadHeatmap = async (filters: Filters) => {
    const id = ++seq.heatmap;
    heatmapStatus.hidden = false;
    const result = await fetchHeatmap(filters);
    if (id !== seq.heatmap) return;
    heatmapStatus.hidden = true;
    if (!result.ok || !Array.isArray(result.value)) {
      showText(heatmapError, problemText(result.ok ? null : result.problem));
      return;
    }
    showText(heatmapError, null);
    renderHeatmap(result.value);
  };

  const cellText = (column: DrillColumn, value: unknown): string => {
    const lang = language();
    if (value === null || value === undefined || value === '') return NO_DATA;
    if (typeof value === 'boolean') return value ? t('dashboard.yes') : t('dashboard.no');
    if (typeof value === 'number') {
      if (DURATION_COLUMNS.has(column)) return formatDuration(value);
      return Number.isInteger(value) ? formatInteger(value, lang) : formatDecimal(value, lang);
    }
    if (typeof value === 'string') {
      if (column === 'requestedAt') {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? value : new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(date);
      }
      if (column === 'fcr') {
        if (value === 'yes') return t('dashboard.yes');
        if (value === 'no') return t('dashboard.no');
        if (value === 'provisional') return t('dashboard.fcrProvisional');
      }
      return value;
    }
    if (typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of ['displayName', 'name', 'id']) if (typeof record[key] === 'string') return record[key];
    }
    return NO_DATA;
  };

  const renderDrill = (rows: ConversationRow[]) => {
    if (rows.length === 0) {
      drillBody.replaceChildren(el('p', { className: 'panel-empty', testId: 'kpi-conversations-empty', text: t('dashboard.drillEmpty') }));
      return;
    }
    drillBody.replaceChildren(
      el(
        'table',
        { className: 'dashboard-table', testId: 'kpi-conversations' },
        el('thead', {}, el('tr', {}, ...DRILL_COLUMNS.map((column) => el('th', { text: t(`dashboard.col.${column}`), attrs: { scope: 'col' } })))),
        el(
          'tbody',
          {},
          ...rows.map((row) => {
            const tr = el('tr', { testId: 'kpi-conversation-row' }, ...DRILL_COLUMNS.map((column) => el('td', { text: cellText(column, row[column]), attrs: { 'data-column': column } })));
            if (typeof row.conversationId === 'string') tr.dataset.conversationId = row.conversationId;
            return tr;
          }),
        ),
      ),
    );
  };

  const showDrill = async (kpi: KpiKey) => {
    const filters = currentFilters();
    if (!filters) return;
    drillKpi = kpi;
    const id = ++seq.drill;
    drill.hidden = false;
    drill.dataset.kpi = kpi;
    drillTitle.textContent = t('dashboard.drillHeading', { kpi: kpiName(kpi) });
    drillStatus.hidden = false;
    showText(drillError, null);
    drillBody.replaceChildren();
    for (const card of cards.querySelectorAll<HTMLElement>('.kpi-card')) card.classList.toggle('selected', card.dataset.kpi === kpi);
    const result = await track(fetchConversations(filters, kpi));
    if (id !== seq.drill) return;
    drillStatus.hidden = true;
    if (!result.ok) {
      showText(drillError, problemText(result.problem));
      return;
    }
    renderDrill(result.value);
  };

  drillClose.addEventListener('click', () => {
    drillKpi = null;
    seq.drill++;
    drill.hidden = true;
    for (const card of cards.querySelectorAll<HTMLElement>('.kpi-card.selected')) card.classList.remove('selected');
  });

  // ---- refresh on filter changes
  const refresh = () => {
    const filters = currentFilters();
    if (!filters) {
      showText(filterError, t('dashboard.invalidRange'));
      return;
    }
    showText(filterError, null);
    csvConversations.href = kpiUrls.conversationsCsv(filters);
    csvAggregates.href = kpiUrls.aggregatesCsv(filters);
    track(loadReport(filters));
    track(loadTrend(filters));
    if (team) track(loadHeatmap(filters));
    if (drillKpi && !drill.hidden) void showDrill(drillKpi);
  };

  preset.addEventListener('change', () => {
    const custom = preset.value === 'custom';
    customDates.hidden = !custom;
    if (custom && (!fromInput.value || !toInput.value)) {
      const range = report ? { from: report.from, to: report.to } : presetRange('today', now());
      fromInput.value = fromInput.value || range.from;
      toInput.value = toInput.value || range.to;
    }
    refresh();
  });
  fromInput.addEventListener('change', refresh);
  toInput.addEventListener('change', refresh);
  skillInput.addEventListener('change', refresh);
  operatorSelect.addEventListener('change', refresh);
  filtersBar.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  const trendOnly = () => {
    const filters = currentFilters();
    if (filters) track(loadTrend(filters));
  };
  trendKpiSelect.addEventListener('change', trendOnly);
  intervalSelect.addEventListener('change', trendOnly);

  // ---- staffing
  const readStaffing = (): { base: StaffingInput; whatIf: StaffingInput } | null => {
    const num = (input: HTMLInputElement) => (input.value.trim() === '' ? Number.NaN : Number(input.value));
    const arrivalsPerHour = num(sArrivals);
    const ahtSeconds = num(sAht);
    const concurrency = num(sConcurrency);
    const goal = num(sGoal);
    const answerSeconds = num(sAnswer);
    const whatIfSeconds = num(sWhatIf);
    const hourlyCost = num(sCost);
    const positive = [arrivalsPerHour, ahtSeconds, concurrency, answerSeconds, whatIfSeconds].every((v) => Number.isFinite(v) && v > 0);
    if (!positive || !Number.isFinite(hourlyCost) || hourlyCost < 0 || !Number.isFinite(goal) || goal < 1 || goal > 99) return null;
    const base: StaffingInput = { arrivalsPerHour, ahtSeconds, concurrency, serviceLevel: goal / 100, answerSeconds, hourlyCost };
    return { base, whatIf: { ...base, answerSeconds: whatIfSeconds } };
  };

  const renderStaffing = (base: StaffingInput, whatIf: StaffingInput, a: StaffingResult, b: StaffingResult) => {
    const lang = language();
    const row = (label: string, f: (r: StaffingResult) => string, key: string) =>
      el('tr', { attrs: { 'data-row': key } }, el('th', { text: label, attrs: { scope: 'row' } }), el('td', { text: f(a), attrs: { 'data-column': 'current' } }), el('td', { text: f(b), attrs: { 'data-column': 'whatIf' } }));
    sResult.replaceChildren(
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}),
          el('th', { text: t('dashboard.staffing.current', { seconds: formatInteger(base.answerSeconds, lang) }), attrs: { scope: 'col' } }),
          el('th', { text: t('dashboard.staffing.current', { seconds: formatInteger(whatIf.answerSeconds, lang) }), attrs: { scope: 'col' } }),
        ),
      ),
      el(
        'tbody',
        {},
        row(t('dashboard.staffing.operatorsNeeded'), (r) => formatInteger(r.operatorsNeeded, lang), 'operatorsNeeded'),
        row(t('dashboard.staffing.serviceLevel'), (r) => formatRate(r.serviceLevel, lang), 'serviceLevel'),
        row(t('dashboard.staffing.occupancy'), (r) => formatRate(r.occupancy, lang), 'occupancy'),
        row(t('dashboard.staffing.costPerConversation'), (r) => formatMoney(r.costPerConversation, lang), 'costPerConversation'),
      ),
    );
    sResult.hidden = false;
    showText(
      sDiff,
      t('dashboard.staffing.difference', {
        delta: signedDelta(b.operatorsNeeded - a.operatorsNeeded, lang),
        whatIf: formatMoney(b.costPerConversation, lang),
        current: formatMoney(a.costPerConversation, lang),
      }),
    );
  };

  staffing.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = readStaffing();
    if (!input) {
      showText(sError, t('dashboard.staffing.invalid'));
      return;
    }
    showText(sError, null);
    const id = ++seq.staffing;
    sSubmit.disabled = true;
    sSubmit.textContent = t('dashboard.staffing.calculating');
    staffing.setAttribute('aria-busy', 'true');
    track(
      Promise.all([fetchStaffing(input.base), fetchStaffing(input.whatIf)])
        .then(([a, b]) => {
          if (id !== seq.staffing) return;
          if (!a.ok || !b.ok) {
            showText(sError, problemText(!a.ok ? a.problem : !b.ok ? b.problem : null));
            sResult.hidden = true;
            sDiff.hidden = true;
            return;
          }
          renderStaffing(input.base, input.whatIf, a.value, b.value);
        })
        .finally(() => {
          if (id !== seq.staffing) return;
          sSubmit.disabled = false;
          sSubmit.textContent = t('dashboard.staffing.submit');
          staffing.removeAttribute('aria-busy');
        }),
    );
  });

  // ---- open / close
  const close = () => {
    if (element.hidden) return;
    element.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  closeButton.addEventListener('click', close);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  const settled = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  const open = async () => {
    element.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    preset.focus();
    refresh();
    await settled();
  };
  button.addEventListener('click', () => {
    if (element.hidden) void open();
    else close();
  });

  return { button, element, open, close, settled };
}
