// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, noContent, setValue, settle, stubFetch, type FakeFetch } from '../shared/testing/fakeFetch';
import { createDashboard } from './index';

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  document.cookie = 'XSRF-TOKEN=tok';
  fetch = stubFetch();
  fetch.routes['GET /api/kpis'] = () => json(200, { from: '2025-03-12', to: '2025-03-12', timeZone: 'UTC', team: null, operators: [] });
  fetch.routes['GET /api/kpis/targets'] = () =>
    json(200, [
      { id: 't1', kpi: 'abandonmentRate', skill: null, value: 0.03, direction: 'lower', period: 'week' },
      { id: 't2', kpi: 'frt.mean', skill: 'billing', value: 60, direction: 'lower', period: 'month' },
    ]);
  fetch.routes['GET /api/kpis/trend'] = () => json(200, []);
  fetch.routes['GET /api/kpis/heatmap'] = () => json(200, []);
});
afterEach(() => vi.unstubAllGlobals());

async function mount(roles: string[]) {
  const dashboard = createDashboard({ roles, now: () => new Date(2025, 2, 12), loadTrendChart: async () => () => ({ update: () => undefined, destroy: () => undefined }) });
  document.body.append(dashboard.button, dashboard.element);
  await dashboard.open();
  await settle();
}

const rows = () => $$('[data-testid="target-row"]');

describe('KPI targets editor (DOM)', () => {
  it('is not offered to operators', async () => {
    await mount(['Operator']);
    expect($('[data-testid="targets"]')?.hidden).toBe(true);
  });

  it('edits team and per-skill targets and saves the whole list in the server’s units', async () => {
    fetch.routes['PUT /api/kpis/targets'] = () => noContent();
    await mount(['Manager']);
    $('[data-testid="targets-edit"]')?.click();
    expect($('[data-testid="targets-form"]')?.hidden).toBe(false);
    expect(rows()).toHaveLength(2);
    const first = rows()[0] as HTMLElement;
    expect(first.querySelector<HTMLInputElement>('[name="targetValue"]')?.value).toBe('3'); // a rate, shown in %
    expect(rows()[1]?.querySelector<HTMLInputElement>('[name="targetSkill"]')?.value).toBe('billing');
    setValue(first.querySelector('[name="targetValue"]'), '5');

    $('[data-testid="target-add"]')?.click();
    const added = rows()[2] as HTMLElement;
    expect(document.activeElement).toBe(added.querySelector('[name="targetKpi"]'));
    setValue(added.querySelector('[name="targetKpi"]'), 'csat.rate');
    setValue(added.querySelector('[name="targetSkill"]'), 'tech');
    $<HTMLFormElement>('[data-testid="targets-form"]')?.requestSubmit();
    expect($('[data-testid="targets-status"]')?.textContent).toBe('Target 3 needs a value.');
    expect(fetch.sent('PUT', '/api/kpis/targets')).toHaveLength(0);
    setValue(added.querySelector('[name="targetValue"]'), '90');
    setValue(added.querySelector('[name="targetDirection"]'), 'higher');
    setValue(added.querySelector('[name="targetPeriod"]'), 'month');
    $<HTMLFormElement>('[data-testid="targets-form"]')?.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/kpis/targets')[0]?.body).toEqual([
      { id: 't1', kpi: 'abandonmentRate', skill: null, value: 0.05, direction: 'lower', period: 'week' },
      { id: 't2', kpi: 'frt.mean', skill: 'billing', value: 60, direction: 'lower', period: 'month' },
      { id: null, kpi: 'csat.rate', skill: 'tech', value: 0.9, direction: 'higher', period: 'month' },
    ]);
    expect(fetch.requests.find((r) => r.method === 'PUT')?.headers['X-XSRF-TOKEN']).toBe('tok');
    expect($('[data-testid="targets-status"]')?.textContent).toBe('Targets saved.');
    expect(fetch.sent('GET', '/api/kpis/targets')).toHaveLength(2); // read again for the cards
  });

  it('shows a refusal from the server', async () => {
    fetch.routes['PUT /api/kpis/targets'] = () => json(400, { title: 'Invalid target', detail: "Unknown skill 'nope'.", status: 400 });
    await mount(['Admin']);
    $('[data-testid="targets-edit"]')?.click();
    $<HTMLFormElement>('[data-testid="targets-form"]')?.requestSubmit();
    await settle();
    const status = $('[data-testid="targets-status"]');
    expect(status?.textContent).toBe("Invalid target — Unknown skill 'nope'.");
    expect(status?.getAttribute('role')).toBe('alert');
  });
});
