import { t, type MessageKey } from '../i18n';
import { el } from '../shared/dom';
import { labelled } from '../shared/form';
import { adminApi, type AuditEntry, type AuditQuery } from './api';
import { alertLine, busy, button, problemText, showText, type AdminPage } from './common';

/** Type prefixes offered by the filter (the server filters by prefix). */
const AUDIT_TYPE_PREFIXES = [
  'admin.person',
  'admin.invitation',
  'admin.skill',
  'admin.operator_routing',
  'admin.site',
  'admin.targets',
  'admin.password',
  'admin.profile',
  'admin.visitor',
  'admin.retention',
  'admin.token',
] as const;

const COLUMNS: readonly MessageKey[] = ['admin.audit.when', 'admin.audit.type', 'admin.audit.actor', 'admin.audit.target', 'admin.audit.before', 'admin.audit.after'];

/** before/after as readable JSON text ("—" when absent). */
const auditJson = (value: unknown) => (value === null || value === undefined ? '—' : JSON.stringify(value, null, 2));

/** The audit log (GET /api/admin/audit): newest first, filters, and "Load more" with the `next` cursor. */
export function createAuditPage(): AdminPage {
  let next: string | null = null;
  let seq = 0;

  const heading = el('h2', { text: t('admin.audit.heading'), attrs: { tabindex: '-1' } });
  const type = el(
    'select',
    { testId: 'audit-filter-type', attrs: { name: 'type' } },
    el('option', { text: t('admin.audit.allTypes'), attrs: { value: '' } }),
    ...AUDIT_TYPE_PREFIXES.map((prefix) => el('option', { text: prefix, attrs: { value: prefix } })),
  );
  // `actor` is a user id: pick the person by name.
  const actor = el('select', { testId: 'audit-filter-actor', attrs: { name: 'actor' } }, el('option', { text: t('admin.audit.anyone'), attrs: { value: '' } }));
  const from = el('input', { testId: 'audit-filter-from', attrs: { type: 'date', name: 'from' } });
  const to = el('input', { testId: 'audit-filter-to', attrs: { type: 'date', name: 'to' } });
  const apply = button(t('admin.audit.apply'), 'audit-apply', false, 'submit');
  const filters = el(
    'form',
    { className: 'admin-form admin-filters', testId: 'audit-filters', attrs: { novalidate: '', 'aria-label': t('admin.audit.filters') } },
    labelled(t('admin.audit.type'), type),
    labelled(t('admin.audit.actor'), actor),
    labelled(t('admin.audit.from'), from),
    labelled(t('admin.audit.to'), to),
    el('div', { className: 'form-actions' }, apply),
  );
  const error = alertLine('audit-error');
  const status = el('p', { className: 'admin-loading', attrs: { role: 'status' } });
  const body = el('tbody', {});
  const table = el(
    'table',
    { className: 'admin-table audit-table', testId: 'audit-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...COLUMNS.map((key) => el('th', { text: t(key), attrs: { scope: 'col' } })),
      ),
    ),
    body,
  );
  const empty = el('p', { className: 'panel-empty', testId: 'audit-empty', text: t('admin.audit.empty') });
  empty.hidden = true;
  const more = button(t('admin.audit.more'), 'audit-more');
  more.hidden = true;
  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-audit' },
    heading,
    filters,
    error,
    status,
    empty,
    el('div', { className: 'admin-scroll' }, table),
    more,
  );

  const loadActors = async () => {
    const result = await adminApi.people('');
    if (!result.ok) return; // the filter keeps "anyone"; the log itself reports errors
    const selected = actor.value;
    actor.replaceChildren(
      el('option', { text: t('admin.audit.anyone'), attrs: { value: '' } }),
      ...result.value.map((person) => el('option', { text: `${person.displayName} <${person.email}>`, attrs: { value: person.id } })),
    );
    actor.value = selected;
  };

  const query = (before: string | null): AuditQuery => ({ type: type.value, actor: actor.value, from: from.value, to: to.value, before });

  const row = (entry: AuditEntry) =>
    el(
      'tr',
      { testId: 'audit-row', attrs: { 'data-type': entry.type } },
      el('td', {}, el('time', { text: new Date(entry.occurredAt).toLocaleString(), attrs: { datetime: entry.occurredAt } })),
      el('td', {}, el('code', { text: entry.type })),
      el('td', { text: entry.actorName ?? entry.actorId ?? t('admin.audit.system') }),
      el('td', {}, el('span', { text: entry.targetLabel }), el('span', { className: 'muted', text: ` (${entry.targetKind})` })),
      el('td', {}, el('pre', { className: 'audit-json', testId: 'audit-before', text: auditJson(entry.before) })),
      el('td', {}, el('pre', { className: 'audit-json', testId: 'audit-after', text: auditJson(entry.after) })),
    );

  const load = async (append: boolean) => {
    const id = ++seq;
    showText(status, t('admin.loading'));
    const result = await adminApi.audit(query(append ? next : null));
    if (id !== seq) return;
    showText(status, null);
    if (!result.ok) {
      showText(error, problemText(result.problem));
      return;
    }
    showText(error, null);
    const rows = result.value.entries.map(row);
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    next = result.value.next;
    more.hidden = next === null;
    empty.hidden = body.children.length > 0;
    table.hidden = body.children.length === 0;
    // After "Load more" the focus goes to the first new row's time, so keyboard users continue from there.
    const firstNew = append ? rows[0]?.querySelector('time') : null;
    if (firstNew) {
      firstNew.tabIndex = -1;
      firstNew.focus();
    }
  };

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(apply, t('admin.loading'), () => load(false));
  });
  type.addEventListener('change', () => void load(false));
  actor.addEventListener('change', () => void load(false));
  more.addEventListener('click', () => void busy(more, t('admin.loading'), () => load(true)));

  return {
    element,
    show: () => {
      void loadActors();
      void load(false);
    },
  };
}
