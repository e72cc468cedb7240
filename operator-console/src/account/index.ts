import { t } from '../i18n';
import { MIN_PASSWORD_LENGTH, type Me } from '../shared/contract';
import { el } from '../shared/dom';
import { createFieldErrors, labelled, showStatus } from '../shared/form';
import type { Problem } from '../shared/http';
import { accountApi } from './api';

export { invitationToken } from './api';
export { createInvitationView } from './invitation';

export const ACCOUNT_HASH = '#account';

export interface AccountPageOptions {
  me: Me;
  /** Header items owned by the caller (back to the workspace, log out). */
  headerItems: HTMLElement[];
  /** The profile was saved (the caller applies a new language). */
  onSaved(me: Me): void;
  /** Shown in the profile status at once (e.g. "Saved" after the page was drawn again in the new language). */
  notice?: string;
}

/** Problem -> one line for the form's alert. */
function problemText(problem: Problem | null): string {
  if (problem === null) return t('account.network');
  const parts = [problem.title, problem.detail !== problem.title ? problem.detail : null].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(' — ') : t('account.failed', { status: problem.status });
}

const formStatus = (testId: string) => {
  const node = el('p', { className: 'save-status', testId, attrs: { role: 'status' } });
  node.hidden = true;
  return node;
};

/** The signed-in user's own page (#account): display name and language, and a password change. */
export function createAccountPage(options: AccountPageOptions): HTMLElement {
  const { me } = options;

  // ---- profile
  const profileErrors = createFieldErrors();
  const displayName = el('input', { attrs: { type: 'text', name: 'displayName', maxlength: '100', autocomplete: 'name' } });
  displayName.value = me.displayName;
  const language = el(
    'select',
    { attrs: { name: 'language' } },
    el('option', { text: t('account.language.en'), attrs: { value: 'en', lang: 'en' } }),
    el('option', { text: t('account.language.fr'), attrs: { value: 'fr', lang: 'fr' } }),
  );
  language.value = me.language ?? (document.documentElement.lang === 'fr' ? 'fr' : 'en');
  const saveProfile = el('button', { testId: 'account-save', text: t('account.save'), attrs: { type: 'submit' } });
  const accountStatus = formStatus('account-status');
  const accountForm = el(
    'form',
    { className: 'admin-form account-form', testId: 'account-form', attrs: { novalidate: '' } },
    el('h2', { text: t('account.profile') }),
    el('p', { className: 'muted', text: t('account.signedInAs', { email: me.email }) }),
    labelled(t('account.displayName'), displayName, profileErrors.slot('displayName', displayName)),
    labelled(t('account.languageLabel'), language, profileErrors.slot('language', language)),
    el('div', { className: 'form-actions' }, saveProfile),
    accountStatus,
  );
  if (options.notice) showStatus(accountStatus, options.notice);

  const setStatus = (node: HTMLElement, text: string | null, ok: boolean) => {
    node.setAttribute('role', ok ? 'status' : 'alert');
    showStatus(node, text, ok ? 'ok' : 'error');
  };

  accountForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (saveProfile.disabled) return;
    profileErrors.clear();
    setStatus(accountStatus, null, true);
    const name = displayName.value.trim();
    if (name === '') {
      profileErrors.set('displayName', t('account.nameRequired'));
      displayName.focus();
      return;
    }
    saveProfile.disabled = true;
    saveProfile.textContent = t('account.saving');
    void accountApi
      .updateMe(name, language.value === 'fr' ? 'fr' : 'en')
      .then((result) => {
        if (!result.ok) {
          const unplaced = result.problem ? profileErrors.show(result.problem) : [];
          setStatus(accountStatus, profileErrors.hasErrors() && unplaced.length === 0 ? t('account.fixFields') : [problemText(result.problem), ...unplaced].join(' '), false);
          profileErrors.focusFirst();
          return;
        }
        setStatus(accountStatus, t('account.saved'), true);
        options.onSaved(result.value);
      })
      .finally(() => {
        saveProfile.disabled = false;
        saveProfile.textContent = t('account.save');
      });
  });

  // ---- password
  const passwordErrors = createFieldErrors();
  const passwordInput = (name: string, autocomplete: string) => el('input', { attrs: { type: 'password', name, autocomplete } });
  const currentPassword = passwordInput('currentPassword', 'current-password');
  const newPassword = passwordInput('newPassword', 'new-password');
  const confirmPassword = passwordInput('confirmPassword', 'new-password');
  const submitPassword = el('button', { testId: 'password-submit', text: t('account.changePassword'), attrs: { type: 'submit' } });
  const passwordStatus = formStatus('password-status');
  const passwordForm = el(
    'form',
    { className: 'admin-form password-form', testId: 'password-form', attrs: { novalidate: '' } },
    el('h2', { text: t('account.passwordHeading') }),
    labelled(t('account.currentPassword'), currentPassword, passwordErrors.slot('currentPassword', currentPassword)),
    labelled(t('account.newPassword'), newPassword, passwordErrors.slot('newPassword', newPassword), t('account.passwordHint', { min: MIN_PASSWORD_LENGTH })),
    labelled(t('account.confirmPassword'), confirmPassword, passwordErrors.slot('confirmPassword', confirmPassword)),
    el('div', { className: 'form-actions' }, submitPassword),
    passwordStatus,
  );

  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submitPassword.disabled) return;
    passwordErrors.clear();
    setStatus(passwordStatus, null, true);
    if (currentPassword.value === '') passwordErrors.set('currentPassword', t('account.currentRequired'));
    if (newPassword.value.length < MIN_PASSWORD_LENGTH) passwordErrors.set('newPassword', t('account.passwordTooShort', { min: MIN_PASSWORD_LENGTH }));
    else if (confirmPassword.value !== newPassword.value) passwordErrors.set('confirmPassword', t('account.passwordMismatch'));
    if (passwordErrors.hasErrors()) {
      passwordErrors.focusFirst();
      return;
    }
    submitPassword.disabled = true;
    submitPassword.textContent = t('account.saving');
    void accountApi
      .changePassword(currentPassword.value, newPassword.value)
      .then((result) => {
        if (!result.ok) {
          const unplaced = result.problem ? passwordErrors.show(result.problem) : [];
          setStatus(passwordStatus, passwordErrors.hasErrors() && unplaced.length === 0 ? t('account.fixFields') : [problemText(result.problem), ...unplaced].join(' '), false);
          passwordErrors.focusFirst();
          return;
        }
        for (const input of [currentPassword, newPassword, confirmPassword]) input.value = '';
        setStatus(passwordStatus, t('account.passwordChanged'), true);
      })
      .finally(() => {
        submitPassword.disabled = false;
        submitPassword.textContent = t('account.changePassword');
      });
  });

  const header = el(
    'header',
    { className: 'app-header' },
    el('span', { className: 'brand', text: t('app.brand') }),
    el('span', { className: 'admin-title', text: t('account.title') }),
    el('span', { className: 'spacer' }),
    ...options.headerItems,
  );
  const heading = el('h1', { className: 'account-heading', text: t('account.title'), attrs: { tabindex: '-1' } });
  queueMicrotask(() => heading.focus());
  return el(
    'div',
    { className: 'admin-area', testId: 'account' },
    header,
    el('main', { className: 'admin-main account-main' }, heading, accountForm, passwordForm),
  );
}
