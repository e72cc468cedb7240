import { t } from '../i18n';
import { el } from '../shared/dom';
import { createFieldErrors, labelled, showStatus } from '../shared/form';
import type { Problem } from '../shared/http';
import { adminApi, type PrivacyQuery, type PrivacyVisitor } from './api';
import { alertLine, badge, busy, button, emptyState, problemText, showText, statusLine, type AdminContext, type AdminPage } from './common';

/** A visitor id (the server's Guid): searched as `visitorId=`, anything else as `email=`. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function privacyQuery(input: string): PrivacyQuery {
  const value = input.trim();
  return UUID.test(value) ? { visitorId: value } : { email: value };
}

const when = (iso: string) => {
  const date = new Date(iso);
  return el('time', { text: Number.isNaN(date.getTime()) ? iso : date.toLocaleString(), attrs: { datetime: iso } });
};

/**
 * Privacy (docs/contract.md, "Privacy"): find a visitor by e-mail or visitor id, export what is kept about
 * them as JSON, or erase it after a confirmation (KPI facts stay, anonymised). Everything is rendered as text.
 */
export function createPrivacyPage(context: AdminContext): AdminPage {
  let seq = 0;
  const erased = new Set<string>();

  const heading = el('h2', { text: t('admin.privacy.heading'), attrs: { tabindex: '-1' } });
  const errors = createFieldErrors();
  const input = el('input', {
    attrs: { type: 'search', name: 'email', autocomplete: 'off', maxlength: '254', spellcheck: 'false' },
  });
  const submit = button(t('admin.privacy.search'), 'privacy-search-submit', false, 'submit');
  const form = el(
    'form',
    { className: 'admin-form', testId: 'privacy-search', attrs: { novalidate: '', role: 'search', 'aria-label': t('admin.privacy.searchLabel') } },
    labelled(t('admin.privacy.searchLabel'), input, errors.slot('email', input), t('admin.privacy.searchHint')),
    el('div', { className: 'form-actions' }, submit),
  );
  const error = alertLine('privacy-error');
  const done = statusLine('privacy-erased');
  done.tabIndex = -1;
  const loading = el('p', { className: 'admin-loading', attrs: { role: 'status' } });
  loading.hidden = true;
  const noMatch = el('p', { className: 'panel-empty', testId: 'privacy-no-match', attrs: { role: 'status' } });
  noMatch.hidden = true;
  const empty = el(
    'div',
    { className: 'admin-empty-state', testId: 'privacy-empty' },
    el('p', { className: 'admin-empty', text: t('admin.privacy.empty') }),
    emptyState(t('admin.privacy.retention'), { href: '#admin/sites', text: t('admin.privacy.retentionLink') }),
  );
  const list = el('ul', { className: 'admin-list', testId: 'privacy-results', attrs: { 'aria-label': t('admin.privacy.results') } });
  list.hidden = true;

  const element = el('section', { className: 'admin-page', testId: 'admin-privacy' }, heading, form, error, done, loading, noMatch, list, empty);

  const render = (visitors: PrivacyVisitor[]) => {
    list.replaceChildren(...visitors.map(renderRow));
    list.hidden = visitors.length === 0;
    empty.hidden = visitors.length > 0;
  };

  const renderRow = (visitor: PrivacyVisitor): HTMLElement => {
    const isErased = erased.has(visitor.visitorId);
    const names = visitor.names.length > 0 ? visitor.names.join(', ') : t('admin.privacy.noName');
    const emails = visitor.emails.length > 0 ? visitor.emails.join(', ') : t('admin.privacy.noEmail');
    const exportLink = el('a', {
      className: 'button-link',
      testId: 'privacy-export',
      text: t('admin.privacy.export'),
      attrs: {
        href: adminApi.privacyExportUrl(visitor.visitorId),
        download: `chatdesk-visitor-${visitor.visitorId}.json`,
        'aria-label': t('admin.privacy.exportLabel', { id: visitor.visitorId }),
      },
    });
    const actions = el('span', { className: 'admin-actions' }, exportLink);
    if (!isErased) {
      const erase = button(t('admin.privacy.erase'), 'privacy-erase');
      erase.classList.add('danger');
      erase.setAttribute('aria-label', t('admin.privacy.eraseLabel', { id: visitor.visitorId }));
      erase.addEventListener('click', () =>
        context.confirm.ask({
          title: t('admin.privacy.eraseTitle'),
          text: t('admin.privacy.eraseText', { id: visitor.visitorId, site: visitor.siteKey, conversations: visitor.conversations }),
          confirmText: 'admin.privacy.erase',
          opener: erase,
          action: () => eraseVisitor(visitor),
        }),
      );
      actions.append(erase);
    }
    return el(
      'li',
      { className: isErased ? 'admin-row disabled' : 'admin-row', testId: 'privacy-result', attrs: { 'data-visitor-id': visitor.visitorId } },
      el(
        'span',
        { className: 'admin-row-main' },
        el('strong', { testId: 'privacy-names', text: names }),
        el('span', { className: 'muted', testId: 'privacy-emails', text: emails }),
        el('span', { className: 'muted' }, `${t('admin.privacy.visitorId')} `, el('code', { text: visitor.visitorId })),
      ),
      el('span', {}, `${t('admin.privacy.site')} `, el('code', { testId: 'privacy-site', text: visitor.siteKey })),
      el('span', { testId: 'privacy-conversations', text: t('admin.privacy.conversations', { count: visitor.conversations }) }),
      el('span', { className: 'muted' }, `${t('admin.privacy.firstSeen')} `, when(visitor.firstSeen)),
      el('span', { className: 'muted' }, `${t('admin.privacy.lastSeen')} `, when(visitor.lastSeen)),
      isErased ? badge(t('admin.privacy.erasedBadge'), 'privacy-erased-badge', 'danger') : '',
      actions,
    );
  };

  let visitors: PrivacyVisitor[] = [];

  const eraseVisitor = async (visitor: PrivacyVisitor): Promise<string | null> => {
    showText(error, null);
    showText(done, null);
    const result = await adminApi.eraseVisitor(visitor.visitorId);
    if (!result.ok) {
      // A 409 (chat still open) and other refusals: the server's reason, on the page, announced.
      showText(error, problemText(result.problem));
      return null;
    }
    erased.add(visitor.visitorId);
    visitors = visitors.map((item) => (item.visitorId === visitor.visitorId ? { ...item, names: [], emails: [] } : item));
    render(visitors);
    const counts = result.value;
    showStatus(
      done,
      t('admin.privacy.erasedDone', { id: visitor.visitorId, conversations: counts.conversations, messages: counts.messages, files: counts.files }),
    );
    // The erase button is gone: the focus goes to the result line (the dialog cannot return it there).
    done.focus();
    return null;
  };

  const showProblem = (problem: Problem | null) => {
    const unplaced = problem && problem.status === 400 ? errors.show(problem) : [];
    if (errors.hasErrors()) {
      showText(error, unplaced.length > 0 ? unplaced.join(' ') : null);
      errors.focusFirst();
    } else {
      showText(error, problemText(problem));
    }
  };

  const search = async () => {
    errors.clear();
    showText(error, null);
    showText(done, null);
    const value = input.value.trim();
    if (value === '') {
      errors.set('email', t('admin.privacy.required'));
      input.focus();
      return;
    }
    const id = ++seq;
    showText(loading, t('admin.loading'));
    const result = await adminApi.privacyVisitors(privacyQuery(value));
    if (id !== seq) return;
    showText(loading, null);
    if (!result.ok) {
      showProblem(result.problem);
      return;
    }
    visitors = result.value;
    render(visitors);
    showText(noMatch, visitors.length === 0 ? t('admin.privacy.noMatch', { query: value }) : null);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    void busy(submit, t('admin.loading'), search);
  });

  return {
    element,
    show: () => undefined, // nothing to load: the page waits for a search
  };
}
