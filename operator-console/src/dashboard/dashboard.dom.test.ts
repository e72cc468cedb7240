// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDashboard, type TrendRenderer, type TrendSeries } from './index';
import type { KpiReport, KpiSet } from './model';

const stat = (mean: number | null, count = 4) => ({ mean, median: mean, p90: mean === null ? null : mean * 2, count });

const kpiSet = (overrides: Partial<KpiSet> = {}): KpiSet => ({
  frt: stat(75),
  asa: stat(12),
  ata: stat(40),
  aht: stat(516),
  acw: stat(null, 0),
  resolutionTime: stat(900),
  abandonmentRate: 0.032,
  serviceLevel: 0.9,
  resolutionRate: 0.7,
  fcr: { rate: 0.6, provisional: 3, conversations: 20 },
  customerFcr: 0.65,
  transferRate: 0.1,
  utilization: 0.5,
  concurrency: 1.8,
  csat: { rate: 0.85, mean: 4.3 },
  nps: 42.4,
  ces: null,
  surveyResponseRate: 0.25,
  volume: { requested: 40, answered: 35, abandoned: 3, shortAbandoned: 0, missed: 2 },
  ...overrides,
});

const report = (overrides: Partial<KpiReport> = {}): KpiReport => ({
  from: '2025-03-12',
  to: '2025-03-12',
  timeZone: 'Europe/Paris',
  team: kpiSet(),
  operators: [
    { operatorId: 'op1', displayName: 'Ann <b>', kpis: kpiSet({ frt: stat(60), nps: 10 }) },
    { operatorId: 'op2', displayName: 'Bob', kpis: kpiSet({ frt: stat(90), nps: null }) },
  ],
  ...overrides,
});

type Route = (url: URL) => Response;
let routes: Record<string, Route>;
const requests: string[] = [];
const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
const $ = (selector: string) => document.querySelector<HTMLElement>(selector);
const $$ = (selector: string) => [...document.querySelectorAll<HTMLElement>(selector)];
const card = (kpi: string) => $(`[data-testid="kpi-card"][data-kpi="${kpi}"]`);
const cardValue = (kpi: string) => card(kpi)?.querySelector('[data-testid="kpi-value"]')?.textContent;
const cardStatus = (kpi: string) => card(kpi)?.querySelector<HTMLElement>('[data-testid="kpi-status"]')?.dataset.status ?? null;
const requested = (path: string) => requests.filter((url) => url.split('?')[0] === path);
const lastQuery = (path: string) => {
  const url = requested(path).at(-1);
  return url ? new URL(url, 'http://x').searchParams : null;
};

const NOW = new Date(2025, 2, 12, 15, 30); // Wednesday 12 March 2025
let rendered: TrendSeries[];

beforeEach(() => {
  document.body.replaceChildren();
  requests.length = 0;
  rendered = [];
  routes = {
    '/api/kpis': () => json(200, report()),
    '/api/kpis/targets': () =>
      json(200, [
        { id: 't1', kpi: 'abandonmentRate', skill: null, value: 0.03, direction: 'lower', period: 'week' }, // 3.2 % -> amber
        { id: 't2', kpi: 'nps', skill: null, value: 70, direction: 'higher', period: 'week' }, // 42 -> red
        { id: 't3', kpi: 'frt.mean', skill: null, value: 90, direction: 'lower', period: 'week' }, // 75 s -> green
        { id: 't4', kpi: 'csat.rate', skill: null, value: 0.9, direction: 'higher', period: 'week' }, // 85 % -> amber
        { id: 't5', kpi: 'ces', skill: null, value: 5, direction: 'higher', period: 'week' }, // null -> no chip
        { id: 't6', kpi: 'frt', skill: 'billing', value: 60, direction: 'lower', period: 'week' }, // billing: 75 s -> red
      ]),
    '/api/kpis/trend': () => json(200, [{ start: '2025-03-10', value: 70 }, { start: '2025-03-11', value: null }, { start: '2025-03-12', value: 80 }]),
    '/api/kpis/heatmap': () => json(200, [{ weekday: 2, hour: 15, requested: 8 }, { weekday: 0, hour: 9, requested: 2 }]),
  };
  vi.stubGlobal('fetch', async (input: string) => {
    const url = String(input);
    requests.push(url);
    const parsed = new URL(url, 'http://console.test');
    const route = routes[parsed.pathname];
    return route ? route(parsed) : json(404, { title: 'Not found' }, 'application/problem+json');
  });
});
afterEach(() => vi.unstubAllGlobals());

async function mount(roles: string[] = ['Manager']) {
  const fakeChart: TrendRenderer = { update: (series) => rendered.push(series), destroy: () => undefined };
  const dashboard = createDashboard({ roles, now: () => NOW, loadTrendChart: async () => () => fakeChart });
  document.body.append(dashboard.button, dashboard.element);
  expect(dashboard.button.dataset.testid).toBe('dashboard-open');
  await dashboard.open();
  return dashboard;
}

describe('KPI dashboard (DOM)', () => {
  it('renders formatted values, "—" for no data and FCR provisional count', async () => {
    await mount();
    expect($('[data-testid="dashboard"]')?.hidden).toBe(false);
    expect($$('[data-testid="kpi-card"]').map((c) => c.dataset.kpi)).toEqual([
      'frt', 'asa', 'aht', 'acw', 'abandonmentRate', 'serviceLevel', 'resolutionRate', 'fcr',
      'transferRate', 'utilization', 'csat', 'nps', 'ces', 'surveyResponseRate',
    ]);
    expect(cardValue('frt')).toBe('1:15');
    expect(cardValue('aht')).toBe('8:36');
    expect(cardValue('acw')).toBe('—');
    expect(cardValue('abandonmentRate')).toBe('3.2%');
    expect(cardValue('fcr')).toBe('60.0%');
    expect(cardValue('nps')).toBe('42');
    expect(cardValue('ces')).toBe('—');
    expect(card('fcr')?.querySelector('[data-testid="kpi-provisional"]')?.textContent).toBe('(3 provisional)');
    expect($('[data-testid="dashboard-loading"]')?.hidden).toBe(true);
    expect($('[data-testid="dashboard-volume"]')?.textContent).toContain('Requested 40');
  });

  it('shows status chips from the targets (lower/higher is better, amber within 10 %)', async () => {
    await mount();
    expect(cardStatus('frt')).toBe('green');
    expect(cardStatus('abandonmentRate')).toBe('amber');
    expect(cardStatus('csat')).toBe('amber');
    expect(cardStatus('nps')).toBe('red');
    expect(cardStatus('ces')).toBeNull(); // no data, no status
    expect(cardStatus('aht')).toBeNull(); // no target
    expect(card('aht')?.querySelector('[data-testid="kpi-target"]')?.textContent).toBe('No target');
    expect(card('nps')?.querySelector('[data-testid="kpi-target"]')?.textContent).toBe('Target ≥ 70');
    expect(card('abandonmentRate')?.querySelector('[data-testid="kpi-target"]')?.textContent).toBe('Target ≤ 3.0%');
  });

  it('shows the operator table against the team for managers', async () => {
    await mount(['Operator', 'Manager']);
    const table = $('[data-testid="operator-table"]');
    expect(table?.closest('[hidden]')).toBeNull();
    const rows = $$('[data-testid="operator-row"]');
    expect(rows.map((r) => r.dataset.operatorId)).toEqual(['op1', 'op2']);
    expect(rows[0]?.querySelector('th')?.textContent).toBe('Ann <b>'); // text, not markup
    expect(rows[0]?.querySelector('b')).toBeNull();
    const frt = (row: HTMLElement | undefined) => row?.querySelector<HTMLElement>('td[data-kpi="frt"]');
    expect(frt(rows[0])?.textContent).toBe('1:00');
    expect(frt(rows[0])?.dataset.compare).toBe('better');
    expect(frt(rows[1])?.dataset.compare).toBe('worse');
    expect($('[data-testid="operator-team-row"] td[data-kpi="frt"]')?.textContent).toBe('1:15');
    // operator filter lists the operators; heat map is drawn
    const options = [...($('[data-testid="dashboard-operator"]') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', 'op1', 'op2']);
    expect($('[data-testid="heatmap-cell"][data-weekday="2"][data-hour="15"]')?.textContent).toBe('8');
    expect(requested('/api/kpis/heatmap')).toHaveLength(1);
  });

  it('hides the team parts for operators', async () => {
    routes['/api/kpis'] = () => json(200, report({ operators: [] }));
    await mount(['Operator']);
    expect($('[data-testid="operator-table"]')?.closest('[hidden]')).not.toBeNull();
    expect($('[data-testid="dashboard-operator"]')?.closest('[hidden]')).not.toBeNull();
    expect($('[data-testid="heatmap-section"]')?.hidden).toBe(true);
    expect(requested('/api/kpis/heatmap')).toHaveLength(0);
    expect(cardValue('frt')).toBe('1:15'); // own figures
    expect(lastQuery('/api/kpis')?.has('operator')).toBe(false);
  });

  it('refetches with the right query string when filters change', async () => {
    await mount();
    expect(requested('/api/kpis').at(-1)).toBe('/api/kpis?from=2025-03-12&to=2025-03-12&operatorStats=mean');
    expect(requested('/api/kpis/targets')).toHaveLength(1);

    const preset = $('[data-testid="dashboard-preset"]') as HTMLSelectElement;
    preset.value = 'thisWeek';
    preset.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(requested('/api/kpis')).toHaveLength(2));
    expect(requested('/api/kpis').at(-1)).toBe('/api/kpis?from=2025-03-10&to=2025-03-12&operatorStats=mean');

    const skill = $('[data-testid="dashboard-skill"]') as HTMLInputElement;
    skill.value = 'billing';
    skill.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(requested('/api/kpis')).toHaveLength(3));
    expect(requested('/api/kpis').at(-1)).toBe('/api/kpis?from=2025-03-10&to=2025-03-12&skill=billing&operatorStats=mean');

    const operator = $('[data-testid="dashboard-operator"]') as HTMLSelectElement;
    operator.value = 'op2';
    operator.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(requested('/api/kpis')).toHaveLength(4));
    expect(requested('/api/kpis').at(-1)).toBe('/api/kpis?from=2025-03-10&to=2025-03-12&skill=billing&operator=op2&operatorStats=mean');
    expect(lastQuery('/api/kpis/trend')?.toString()).toBe('from=2025-03-10&to=2025-03-12&skill=billing&operator=op2&interval=day&kpi=frt.mean');
    expect(lastQuery('/api/kpis/heatmap')?.toString()).toBe('from=2025-03-10&to=2025-03-12');
    expect(requested('/api/kpis/targets')).toHaveLength(1); // loaded once
    // the skill target now applies: 75 s against <= 60 s
    await vi.waitFor(() => expect(cardStatus('frt')).toBe('red'));
    // CSV links follow the filters
    expect($('[data-testid="kpi-csv-conversations"]')?.getAttribute('href')).toBe('/api/kpis/conversations.csv?from=2025-03-10&to=2025-03-12&skill=billing&operator=op2');
    expect($('[data-testid="kpi-csv-aggregates"]')?.getAttribute('href')).toBe('/api/kpis/aggregates.csv?from=2025-03-10&to=2025-03-12&skill=billing&operator=op2');

    preset.value = 'custom';
    preset.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(requested('/api/kpis')).toHaveLength(5));
    const from = $('[data-testid="dashboard-from"]') as HTMLInputElement;
    const to = $('[data-testid="dashboard-to"]') as HTMLInputElement;
    from.value = '2025-02-01';
    to.value = '2025-02-28';
    to.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(requested('/api/kpis')).toHaveLength(6));
    expect(lastQuery('/api/kpis')?.get('from')).toBe('2025-02-01');
    expect(lastQuery('/api/kpis')?.get('to')).toBe('2025-02-28');

    // an inverted range is refused without a request
    from.value = '2025-03-05';
    from.dispatchEvent(new Event('change'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requested('/api/kpis')).toHaveLength(6);
    expect($('[data-testid="dashboard-filter-error"]')?.hidden).toBe(false);
  });

  it('draws the trend for the selected KPI and interval', async () => {
    const dashboard = await mount();
    expect(rendered.at(-1)?.values).toEqual([70, null, 80]);
    expect(rendered.at(-1)?.format(80)).toBe('1:20');
    expect($$('[data-testid="trend-row"]')).toHaveLength(3);
    const kpi = $('[data-testid="trend-kpi"]') as HTMLSelectElement;
    kpi.value = 'csat';
    kpi.dispatchEvent(new Event('change'));
    const interval = $('[data-testid="trend-interval"]') as HTMLSelectElement;
    interval.value = 'week';
    interval.dispatchEvent(new Event('change'));
    await dashboard.settled();
    expect(lastQuery('/api/kpis/trend')?.get('kpi')).toBe('csat.rate');
    expect(lastQuery('/api/kpis/trend')?.get('interval')).toBe('week');
    expect(requested('/api/kpis')).toHaveLength(1); // the report is not refetched
  });

  it('lazy-loads Chart.js by default and falls back to the figures when the canvas cannot draw', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const dashboard = createDashboard({ roles: ['Admin'], now: () => NOW }); // real dynamic import of Chart.js
    document.body.append(dashboard.button, dashboard.element);
    await dashboard.open();
    await vi.waitFor(() => expect($('[data-testid="trend-error"]')?.hidden).toBe(false));
    error.mockRestore();
    // happy-dom has no 2D canvas context: the error is shown and the data table stays available
    expect($('[data-testid="trend-error"]')?.textContent).toBe('The chart could not be drawn; the figures are listed below.');
    expect($$('[data-testid="trend-row"]').map((r) => r.textContent)).toHaveLength(3);
    expect(cardValue('frt')).toBe('1:15');
  });

  it('opens the conversations behind a card as text', async () => {
    routes['/api/kpis/conversations'] = () =>
      json(200, [
        { conversationId: 'c1', requestedAt: '2025-03-12T09:00:00Z', visitorName: '<img src=x onerror=alert(1)>', topic: 'billing', owner: 'Ann', outcome: 'answered', wait: 12, frt: 95, handleTime: 600, acw: null, transfers: 0, disposition: 'resolved', csat: 5, nps: null, ces: null, resolved: true, fcr: 'provisional' },
      ]);
    const dashboard = await mount();
    card('frt')?.click();
    await dashboard.settled();
    expect(lastQuery('/api/kpis/conversations')?.toString()).toBe('from=2025-03-12&to=2025-03-12&kpi=frt&sort=desc&limit=50');
    const table = $('[data-testid="kpi-conversations"]');
    expect(table).not.toBeNull();
    expect(table?.querySelector('img')).toBeNull();
    const cell = (column: string) => table?.querySelector(`tbody td[data-column="${column}"]`)?.textContent;
    expect(cell('visitorName')).toBe('<img src=x onerror=alert(1)>');
    expect(cell('frt')).toBe('1:35');
    expect(cell('acw')).toBe('—');
    expect(cell('resolved')).toBe('Yes');
    expect(cell('fcr')).toBe('Provisional');
    expect($('[data-testid="kpi-drilldown"]')?.dataset.kpi).toBe('frt');
  });

  it('shows problem+json errors clearly', async () => {
    routes['/api/kpis'] = () => json(403, { title: 'Forbidden', detail: 'Only your own figures.', status: 403 }, 'application/problem+json');
    routes['/api/kpis/conversations'] = () => json(400, { title: 'Unknown KPI', status: 400 }, 'application/problem+json');
    await mount();
    const error = $('[data-testid="dashboard-error"]');
    expect(error?.hidden).toBe(false);
    expect(error?.textContent).toBe('Forbidden — Only your own figures.');
    expect($$('[data-testid="kpi-card"]')).toHaveLength(0);
  });

  it('computes staffing with a what-if column and shows the difference', async () => {
    routes['/api/kpis/staffing'] = (url) =>
      url.searchParams.get('answerSeconds') === '20'
        ? json(200, { operatorsNeeded: 17, serviceLevel: 0.82, occupancy: 0.71, costPerConversation: 30, probabilityOfWaiting: 0.3 })
        : json(200, { operatorsNeeded: 12, serviceLevel: 0.81, occupancy: 0.83, costPerConversation: 25, probabilityOfWaiting: 0.4 });
    const dashboard = await mount();
    const form = $('[data-testid="staffing"]') as HTMLFormElement;
    const set = (name: string, value: string) => ((form.querySelector(`[name="${name}"]`) as HTMLInputElement).value = value);
    set('arrivalsPerHour', '100');
    set('ahtSeconds', '480');
    set('concurrency', '2');
    set('serviceLevelGoal', '80');
    set('answerSeconds', '40');
    set('whatIfAnswerSeconds', '20');
    set('hourlyCost', '25');
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await dashboard.settled();
    const staffing = requested('/api/kpis/staffing');
    expect(staffing).toHaveLength(2);
    expect(staffing[0]).toBe('/api/kpis/staffing?arrivalsPerHour=100&ahtSeconds=480&concurrency=2&serviceLevel=0.8&answerSeconds=40&hourlyCost=25');
    expect(staffing[1]).toContain('answerSeconds=20');
    const cell = (row: string, column: string) => $(`[data-testid="staffing-result"] tr[data-row="${row}"] td[data-column="${column}"]`)?.textContent;
    expect(cell('operatorsNeeded', 'current')).toBe('12');
    expect(cell('operatorsNeeded', 'whatIf')).toBe('17');
    expect(cell('serviceLevel', 'current')).toBe('81.0%');
    expect(cell('occupancy', 'whatIf')).toBe('71.0%');
    expect($('[data-testid="staffing-diff"]')?.textContent).toBe('+5 operators, cost 30.00 instead of 25.00 per conversation');
  });

  it('validates the staffing form and shows server errors', async () => {
    routes['/api/kpis/staffing'] = () => json(400, { title: 'Invalid input', detail: 'concurrency must be at least 1', status: 400 }, 'application/problem+json');
    const dashboard = await mount();
    const form = $('[data-testid="staffing"]') as HTMLFormElement;
    (form.querySelector('[name="ahtSeconds"]') as HTMLInputElement).value = '';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await dashboard.settled();
    expect(requested('/api/kpis/staffing')).toHaveLength(0);
    expect($('[data-testid="staffing-error"]')?.hidden).toBe(false);
    (form.querySelector('[name="ahtSeconds"]') as HTMLInputElement).value = '300';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await dashboard.settled();
    expect($('[data-testid="staffing-error"]')?.textContent).toBe('Invalid input — concurrency must be at least 1');
    expect($('[data-testid="staffing-result"]')?.hidden).toBe(true);
  });
});
