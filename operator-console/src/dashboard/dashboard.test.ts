import { describe, expect, it } from 'vitest';
import {
  filterParams,
  formatDuration,
  formatKpi,
  formatRate,
  kpiValue,
  pickTarget,
  presetRange,
  rangeDays,
  signedDelta,
  targetStatus,
  trendKey,
  type KpiSet,
  type KpiTarget,
} from './model';

const stat = (mean: number | null) => ({ mean, median: mean, p90: mean, count: mean === null ? 0 : 4 });

describe('formatting', () => {
  it('durations as m:ss, rates with one decimal, NPS as integer, null as a dash', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(4.6)).toBe('0:05');
    expect(formatDuration(3725)).toBe('62:05');
    expect(formatDuration(null)).toBe('—');
    expect(formatRate(0.1234)).toBe('12.3%');
    expect(formatRate(0)).toBe('0.0%');
    expect(formatKpi('nps', 42.6)).toBe('43');
    expect(formatKpi('nps', -12.2)).toBe('-12');
    expect(formatKpi('ces', 5.25)).toBe('5.3');
    expect(formatKpi('abandonmentRate', null)).toBe('—');
    expect(formatKpi('frt', 0)).toBe('0:00'); // zero is a value, not "no data"
  });

  it('extracts headline values from a set', () => {
    const set = { frt: stat(30), fcr: { rate: 0.5, provisional: 2, conversations: 10 }, csat: { rate: 0.8, mean: 4.1 }, nps: null } as unknown as KpiSet;
    expect(kpiValue(set, 'frt')).toBe(30);
    expect(kpiValue(set, 'fcr')).toBe(0.5);
    expect(kpiValue(set, 'csat')).toBe(0.8);
    expect(kpiValue(set, 'nps')).toBeNull();
    expect(kpiValue(set, 'aht')).toBeNull();
    expect(trendKey('frt')).toBe('frt.mean');
    expect(trendKey('csat')).toBe('csat.rate');
    expect(trendKey('nps')).toBe('nps');
  });
});

describe('target status', () => {
  it('higher is better: green when met, amber within 10 %, red otherwise', () => {
    expect(targetStatus(70, 70, 'higher')).toBe('green');
    expect(targetStatus(80, 70, 'higher')).toBe('green');
    expect(targetStatus(63, 70, 'higher')).toBe('amber');
    expect(targetStatus(62.9, 70, 'higher')).toBe('red');
    expect(targetStatus(null, 70, 'higher')).toBeNull();
  });

  it('lower is better', () => {
    expect(targetStatus(0.03, 0.03, 'lower')).toBe('green');
    expect(targetStatus(0.033, 0.03, 'lower')).toBe('amber');
    expect(targetStatus(0.034, 0.03, 'lower')).toBe('red');
    expect(targetStatus(25, 30, 'lower')).toBe('green');
  });

  it('picks the skill target over the general one, and the period that fits the range', () => {
    const targets: KpiTarget[] = [
      { id: '1', kpi: 'frt.mean', skill: null, value: 30, direction: 'lower', period: 'week' },
      { id: '2', kpi: 'frt', skill: 'billing', value: 20, direction: 'lower', period: 'week' },
      { id: '3', kpi: 'nps', skill: null, value: 60, direction: 'higher', period: 'week' },
      { id: '4', kpi: 'nps', skill: null, value: 70, direction: 'higher', period: 'month' },
    ];
    expect(pickTarget(targets, 'frt', '', 1)?.id).toBe('1');
    expect(pickTarget(targets, 'frt', 'Billing', 1)?.id).toBe('2');
    expect(pickTarget(targets, 'frt', 'sales', 1)?.id).toBe('1');
    expect(pickTarget(targets, 'nps', '', 7)?.id).toBe('3');
    expect(pickTarget(targets, 'nps', '', 31)?.id).toBe('4');
    expect(pickTarget(targets, 'aht', '', 7)).toBeNull();
  });
});

describe('periods and queries', () => {
  const wednesday = new Date(2025, 2, 12, 15, 30); // Wed 12 March 2025
  it('computes preset ranges (weeks start on Monday)', () => {
    expect(presetRange('today', wednesday)).toEqual({ from: '2025-03-12', to: '2025-03-12' });
    expect(presetRange('yesterday', wednesday)).toEqual({ from: '2025-03-11', to: '2025-03-11' });
    expect(presetRange('thisWeek', wednesday)).toEqual({ from: '2025-03-10', to: '2025-03-12' });
    expect(presetRange('thisWeek', new Date(2025, 2, 16))).toEqual({ from: '2025-03-10', to: '2025-03-16' });
    expect(presetRange('thisMonth', wednesday)).toEqual({ from: '2025-03-01', to: '2025-03-12' });
    expect(presetRange('yesterday', new Date(2025, 0, 1))).toEqual({ from: '2024-12-31', to: '2024-12-31' });
    expect(rangeDays('2025-03-01', '2025-03-31')).toBe(31);
  });

  it('builds the filter query, leaving out empty filters', () => {
    expect(filterParams({ from: '2025-03-01', to: '2025-03-02', skill: '', operator: '' }).toString()).toBe('from=2025-03-01&to=2025-03-02');
    expect(filterParams({ from: 'a', to: 'b', skill: ' billing ', operator: 'op1' }, { kpi: 'frt' }).toString()).toBe('from=a&to=b&skill=billing&operator=op1&kpi=frt');
  });

  it('signs the operator difference', () => {
    expect(signedDelta(5)).toBe('+5');
    expect(signedDelta(-2)).toBe('-2');
    expect(signedDelta(0)).toBe('±0');
  });
});
