import { t } from '../i18n';
import { el } from '../shared/dom';
import { requestJson } from '../shared/http';
import { DEFAULT_DIRECTION, KPI_KEYS, KPI_KIND, targetKpi, trendKey, type Direction, type KpiKey, type KpiTarget } from './model';

/** A target as PUT /api/kpis/targets takes it (server TargetDto; a new one has no id yet). */
export type TargetInput = Omit<KpiTarget, 'id'> & { id: string | null };

const saveTargets = (targets: TargetInput[]) => requestJson<void>('PUT', '/api/kpis/targets', targets);

export interface TargetsEditor {
  element: HTMLElement;
  /** The targets the dashboard read (drawn again unless the form is open, so edits in progress stay). */
  show(targets: readonly KpiTarget[]): void;
}

/** Rates are entered as percentages, durations in seconds, scores as they are. */
const toShown = (kpi: string, value: number) => (KPI_KIND[targetKpi(kpi) as KpiKey] === 'rate' ? Math.round(value * 10_000) / 100 : value);
const fromShown = (kpi: string, value: number) => (KPI_KIND[targetKpi(kpi) as KpiKey] === 'rate' ? value / 100 : value);

/**
 * "Edit targets" on the dashboard (managers and admins): one row per target, for the team (no skill) or one
 * skill, with a direction and the period it applies to. Saving replaces the whole list (PUT /api/kpis/targets).
 */
export function createTargetsEditor(onSaved: () => void): TargetsEditor {
  let rows: TargetInput[] = [];

  const toggle = el('button', { className: 'secondary', testId: 'targets-edit', text: t('dashboard.targets.edit'), attrs: { type: 'button', 'aria-expanded': 'false' } });
  const body = el('tbody', {});
  const add = el('button', { className: 'secondary', testId: 'target-add', text: t('dashboard.targets.add'), attrs: { type: 'button' } });
  const save = el('button', { testId: 'targets-save', text: t('dashboard.targets.save'), attrs: { type: 'submit' } });
  const status = el('p', { className: 'save-status', testId: 'targets-status', attrs: { role: 'status' } });
  status.hidden = true;
  const form = el(
    'form',
    { className: 'targets-form', testId: 'targets-form', attrs: { novalidate: '' } },
    el('p', { className: 'hint-inline', text: t('dashboard.targets.hint') }),
    el(
      'div',
      { className: 'dashboard-scroll' },
      el(
        'table',
        { className: 'dashboard-table targets-table' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...(['dashboard.targets.kpi', 'dashboard.targets.skill', 'dashboard.targets.value', 'dashboard.targets.direction', 'dashboard.targets.period'] as const).map(
              (key) => el('th', { text: t(key), attrs: { scope: 'col' } }),
            ),
            el('th', {}, el('span', { className: 'visually-hidden', text: t('dashboard.targets.remove') })),
          ),
        ),
        body,
      ),
    ),
    el('div', { className: 'form-actions' }, add, save),
    status,
  );
  form.hidden = true;
  const element = el(
    'section',
    { className: 'dashboard-section', testId: 'targets' },
    el('div', { className: 'dashboard-section-header' }, el('h3', { className: 'dashboard-subheading', text: t('dashboard.targets.heading') }), el('span', { className: 'spacer' }), toggle),
    form,
  );

  const showStatus = (text: string | null, ok: boolean) => {
    status.textContent = text ?? '';
    status.hidden = text === null;
    status.dataset.kind = ok ? 'ok' : 'error';
    status.setAttribute('role', ok ? 'status' : 'alert');
  };

  const render = () => {
    body.replaceChildren(
      ...rows.map((row, index) => {
        const label = (name: string) => t('dashboard.targets.fieldLabel', { field: name, number: index + 1 });
        const known = KPI_KEYS.some((kpi) => trendKey(kpi) === row.kpi);
        const kpi = el(
          'select',
          { attrs: { name: 'targetKpi', 'aria-label': label(t('dashboard.targets.kpi')) } },
          ...KPI_KEYS.map((key) => el('option', { text: t(`dashboard.kpi.${key}`), attrs: { value: trendKey(key) } })),
          ...(known ? [] : [el('option', { text: row.kpi, attrs: { value: row.kpi } })]),
        );
        kpi.value = row.kpi;
        const skill = el('input', { attrs: { type: 'text', name: 'targetSkill', placeholder: t('dashboard.targets.team'), 'aria-label': label(t('dashboard.targets.skill')) } });
        skill.value = row.skill ?? '';
        const value = el('input', { attrs: { type: 'number', name: 'targetValue', step: 'any', 'aria-label': label(t('dashboard.targets.value')) } });
        value.value = Number.isFinite(row.value) ? String(toShown(row.kpi, row.value)) : '';
        const unit = el('span', { className: 'muted' });
        const showUnit = () => {
          const kind = KPI_KIND[targetKpi(kpi.value) as KpiKey];
          unit.textContent = kind === 'rate' ? '%' : kind === 'duration' ? t('dashboard.targets.seconds') : '';
        };
        showUnit();
        const direction = el(
          'select',
          { attrs: { name: 'targetDirection', 'aria-label': label(t('dashboard.targets.direction')) } },
          el('option', { text: t('dashboard.targets.higher'), attrs: { value: 'higher' } }),
          el('option', { text: t('dashboard.targets.lower'), attrs: { value: 'lower' } }),
        );
        direction.value = row.direction;
        const period = el(
          'select',
          { attrs: { name: 'targetPeriod', 'aria-label': label(t('dashboard.targets.period')) } },
          el('option', { text: t('dashboard.targets.week'), attrs: { value: 'week' } }),
          el('option', { text: t('dashboard.targets.month'), attrs: { value: 'month' } }),
        );
        period.value = row.period;
        const remove = el('button', { className: 'secondary', testId: 'target-remove', text: t('dashboard.targets.remove'), attrs: { type: 'button', 'aria-label': label(t('dashboard.targets.remove')) } });

        const read = () => {
          row.kpi = kpi.value;
          row.skill = skill.value.trim() === '' ? null : skill.value.trim();
          row.value = value.value.trim() === '' ? Number.NaN : fromShown(row.kpi, Number(value.value));
          row.direction = direction.value as Direction;
          row.period = period.value as 'week' | 'month';
        };
        kpi.addEventListener('change', () => {
          const shown = value.value;
          read();
          if (shown.trim() !== '') row.value = fromShown(row.kpi, Number(shown));
          showUnit();
        });
        for (const input of [skill, value, direction, period]) input.addEventListener('input', read);
        for (const input of [direction, period]) input.addEventListener('change', read);
        remove.addEventListener('click', () => {
          rows.splice(index, 1);
          render();
          (body.querySelectorAll<HTMLElement>('[data-testid="target-remove"]')[Math.min(index, rows.length - 1)] ?? add).focus();
        });
        return el(
          'tr',
          { testId: 'target-row' },
          el('td', {}, kpi),
          el('td', {}, skill),
          el('td', {}, value, ' ', unit),
          el('td', {}, direction),
          el('td', {}, period),
          el('td', {}, remove),
        );
      }),
    );
  };

  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) (body.querySelector<HTMLElement>('select, input') ?? add).focus();
  });
  add.addEventListener('click', () => {
    const kpi: KpiKey = 'frt';
    rows.push({ id: null, kpi: trendKey(kpi), skill: null, value: Number.NaN, direction: DEFAULT_DIRECTION[kpi], period: 'week' });
    render();
    body.querySelector<HTMLElement>('tr:last-child select')?.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (save.disabled) return;
    const missing = rows.findIndex((row) => !Number.isFinite(row.value));
    if (missing >= 0) {
      showStatus(t('dashboard.targets.valueMissing', { number: missing + 1 }), false);
      body.querySelectorAll<HTMLInputElement>('[name="targetValue"]')[missing]?.focus();
      return;
    }
    save.disabled = true;
    save.textContent = t('dashboard.targets.saving');
    showStatus(null, true);
    void saveTargets(rows)
      .then((result) => {
        if (!result.ok) {
          const problem = result.problem;
          showStatus(problem ? [problem.title, problem.detail].filter(Boolean).join(' — ') || t('dashboard.failed', { status: problem.status }) : t('dashboard.network'), false);
          return;
        }
        showStatus(t('dashboard.targets.saved'), true);
        onSaved();
      })
      .finally(() => {
        save.disabled = false;
        save.textContent = t('dashboard.targets.save');
      });
  });

  return {
    element,
    show(targets) {
      if (!form.hidden) return; // do not throw away edits in progress
      rows = targets.map((target) => ({ ...target }));
      render();
    },
  };
}
