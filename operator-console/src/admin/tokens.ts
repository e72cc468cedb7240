import { t, type MessageKey } from '../i18n';
import { el } from '../shared/dom';
import { copyText, createFieldErrors, labelled, showStatus } from '../shared/form';
import { adminApi, API_SCOPES, type ApiScope, type ApiTokenDto } from './api';
import { alertLine, badge, busy, button, emptyState, problemText, showText, statusLine, type AdminContext, type AdminPage } from './common';

const SCOPE_LABEL: Record<ApiScope, MessageKey> = {
  'kpis:read': 'admin.tokens.scope.kpisRead',
  'conversations:read': 'admin.tokens.scope.conversationsRead',
  'answers:read': 'admin.tokens.scope.answersRead',
  'answers:write': 'admin.tokens.scope.answersWrite',
  'metrics:read': 'admin.tokens.scope.metricsRead',
};

const when = (iso: string | null) => (iso === null ? t('admin.tokens.never') : new Date(iso).toLocaleString());

/**
 * API tokens for integrations: create (name, scopes, optional expiry; the secret is shown once, to copy), list
 * (scopes, who created it and when, last use, revoked) and revoke after a confirmation.
 */
export function createTokensPage(context: AdminContext): AdminPage {
  let tokens: ApiTokenDto[] = [];
  let seq = 0;

  const heading = el('h2', { text: t('admin.tokens.heading'), attrs: { tabindex: '-1' } });
  const intro = el('p', { className: 'muted', text: t('admin.tokens.intro') });
  const newButton = button(t('admin.tokens.new'), 'token-new', false);
  const listError = alertLine('tokens-error');
  const listStatus = statusLine('tokens-status');
  const list = el('ul', { className: 'admin-list', testId: 'tokens-list' });
  const empty = el('div', { testId: 'tokens-empty' }, emptyState(t('admin.tokens.empty')));
  empty.hidden = true;

  // ---- the new secret, shown once
  const secret = el('input', { testId: 'token-secret', attrs: { type: 'text', readonly: '', name: 'tokenSecret', 'aria-label': t('admin.tokens.secret') } });
  const secretCopy = button(t('admin.copy'), 'token-copy');
  const secretCopied = statusLine('token-copied');
  const secretBox = el(
    'section',
    { className: 'invitation-box', testId: 'token-secret-box', attrs: { 'aria-label': t('admin.tokens.secret') } },
    el('p', { className: 'invitation-for', text: t('admin.tokens.secretOnce') }),
    el('div', { className: 'copy-row' }, secret, secretCopy),
    secretCopied,
  );
  secretBox.hidden = true;
  secretCopy.addEventListener('click', () => {
    void copyText(secret.value, secret).then((copied) => showText(secretCopied, copied ? t('admin.copied') : t('admin.copyManually')));
  });

  // ---- create form
  const errors = createFieldErrors();
  const name = el('input', { attrs: { type: 'text', name: 'name', maxlength: '100', autocomplete: 'off' } });
  const scopeBoxes = API_SCOPES.map((scope) => el('input', { attrs: { type: 'checkbox', name: 'scopes', value: scope } }));
  const scopesGroup = el(
    'fieldset',
    { className: 'field roles-field' },
    el('legend', { text: t('admin.tokens.scopes') }),
    ...scopeBoxes.map((box, index) => {
      const scope = API_SCOPES[index] as ApiScope;
      return el('label', { className: 'field-inline' }, box, el('code', { text: scope }), el('span', { className: 'muted', text: ` ${t(SCOPE_LABEL[scope])}` }));
    }),
  );
  scopesGroup.append(errors.slot('scopes', scopeBoxes[0]));
  const expires = el('input', { attrs: { type: 'date', name: 'expiresAt' } });
  const formError = alertLine('token-error');
  const create = button(t('admin.tokens.create'), 'token-create', false, 'submit');
  const cancel = button(t('admin.cancel'), 'token-cancel');
  const form = el(
    'form',
    { className: 'admin-form', testId: 'token-form', attrs: { novalidate: '' } },
    el('h3', { text: t('admin.tokens.new') }),
    labelled(t('admin.tokens.name'), name, errors.slot('name', name)),
    scopesGroup,
    labelled(t('admin.tokens.expires'), expires, errors.slot('expiresAt', expires), t('admin.tokens.expiresHint')),
    formError,
    el('div', { className: 'form-actions' }, create, cancel),
  );
  form.hidden = true;

  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-tokens' },
    heading,
    intro,
    el('div', { className: 'admin-toolbar' }, newButton),
    listStatus,
    secretBox,
    form,
    listError,
    empty,
    list,
  );

  const openForm = () => {
    form.reset();
    errors.clear();
    showText(formError, null);
    form.hidden = false;
    name.focus();
  };
  newButton.addEventListener('click', openForm);
  cancel.addEventListener('click', () => {
    form.hidden = true;
    newButton.focus();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    errors.clear();
    showText(formError, null);
    const scopes = scopeBoxes.filter((box) => box.checked).map((box) => box.value);
    if (name.value.trim() === '') errors.set('name', t('admin.tokens.nameRequired'));
    if (scopes.length === 0) errors.set('scopes', t('admin.tokens.scopesRequired'));
    if (errors.hasErrors()) {
      errors.focusFirst();
      return;
    }
    // The chosen day is included: the token works until that day's end, local time.
    const expiresAt = expires.value === '' ? null : new Date(`${expires.value}T23:59:59`).toISOString();
    void busy(create, t('admin.working'), () => adminApi.createToken({ name: name.value.trim(), scopes, expiresAt })).then((result) => {
      if (!result.ok) {
        const unplaced = result.problem ? errors.show(result.problem) : [];
        showText(formError, errors.hasErrors() && unplaced.length === 0 ? t('admin.fixFields') : [problemText(result.problem), ...unplaced].join(' '));
        errors.focusFirst();
        return;
      }
      form.hidden = true;
      secret.value = result.value.token;
      showText(secretCopied, null);
      secretBox.hidden = false;
      secret.focus();
      secret.select();
      tokens = [result.value.apiToken, ...tokens];
      render();
    });
  });

  const render = () => {
    empty.hidden = tokens.length > 0;
    list.replaceChildren(...tokens.map(renderRow));
  };

  const renderRow = (token: ApiTokenDto) => {
    const badges = el('span', { className: 'admin-badges' }, ...token.scopes.map((scope) => badge(scope, 'token-scope')));
    if (token.revokedAt !== null) badges.append(badge(t('admin.tokens.revoked'), 'token-revoked', 'danger'));
    else if (!token.usable) badges.append(badge(t('admin.tokens.expired'), 'token-expired', 'pending'));
    const actions = el('span', { className: 'admin-actions' });
    if (token.revokedAt === null) {
      const revoke = button(t('admin.tokens.revoke'), 'token-revoke');
      revoke.setAttribute('aria-label', t('admin.tokens.revokeLabel', { name: token.name }));
      revoke.addEventListener('click', () =>
        context.confirm.ask({
          title: t('admin.tokens.revokeTitle', { name: token.name }),
          text: t('admin.tokens.revokeText'),
          confirmText: 'admin.tokens.revoke',
          opener: revoke,
          action: () => revokeToken(token),
        }),
      );
      actions.append(revoke);
    }
    const details = t('admin.tokens.details', {
      who: token.createdByName ?? token.createdById,
      created: when(token.createdAt),
      used: when(token.lastUsedAt),
    });
    const expiry = token.expiresAt === null ? '' : ` ${t('admin.tokens.expiresOn', { date: when(token.expiresAt) })}`;
    return el(
      'li',
      { className: token.revokedAt === null ? 'admin-row' : 'admin-row disabled', testId: 'token-row', attrs: { 'data-id': token.id } },
      el('span', { className: 'admin-row-main' }, el('strong', { text: token.name }), el('span', { className: 'muted', text: details + expiry })),
      badges,
      actions,
    );
  };

  const revokeToken = async (token: ApiTokenDto): Promise<string | null> => {
    const result = await adminApi.revokeToken(token.id);
    if (!result.ok) return problemText(result.problem);
    tokens = tokens.map((item) => (item.id === token.id ? result.value : item));
    render();
    showStatus(listStatus, t('admin.tokens.revokedDone', { name: token.name }));
    return null;
  };

  const load = async () => {
    const id = ++seq;
    const result = await adminApi.tokens();
    if (id !== seq) return;
    if (!result.ok) {
      showText(listError, problemText(result.problem));
      return;
    }
    showText(listError, null);
    tokens = result.value;
    render();
  };

  return {
    element,
    show: () => {
      // Leaving the page forgets the secret: it is shown once, right after it was made.
      secretBox.hidden = true;
      secret.value = '';
      void load();
    },
  };
}
