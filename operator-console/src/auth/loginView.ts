import { t, type MessageKey } from '../i18n';
import type { Me } from '../shared/contract';
import { el } from '../shared/dom';
import { login, type LoginResult } from './api';

const LOGIN_ERRORS: Record<Extract<LoginResult, { ok: false }>['reason'], MessageKey> = {
  invalid: 'login.invalid',
  locked: 'login.locked',
  disabled: 'login.disabled',
  failed: 'login.failed',
};

export interface LoginViewOptions {
  onSignedIn(me: Me): void;
  /** Message to show at once (e.g. session expired). */
  initialError?: MessageKey;
  email?: string;
}

export function createLoginView(options: LoginViewOptions): HTMLElement {
  const email = el('input', {
    attrs: { name: 'email', type: 'email', autocomplete: 'username', required: '', id: 'login-email' },
  });
  email.value = options.email ?? '';
  const password = el('input', {
    attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: '', id: 'login-password' },
  });
  const error = el('p', { className: 'form-error', testId: 'login-error', attrs: { role: 'alert' } });
  const submit = el('button', { testId: 'login-submit', text: t('login.submit'), attrs: { type: 'submit' } });

  const showError = (key: MessageKey | null) => {
    error.textContent = key ? t(key) : '';
    error.hidden = key === null;
  };
  showError(options.initialError ?? null);

  const form = el(
    'form',
    { className: 'login-form', testId: 'login-form', attrs: { novalidate: '' } },
    el('h1', { text: t('login.heading') }),
    el('label', { attrs: { for: 'login-email' }, text: t('login.email') }),
    email,
    el('label', { attrs: { for: 'login-password' }, text: t('login.password') }),
    password,
    error,
    submit,
  );

  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    if (email.value.trim() === '' || password.value === '') {
      showError('login.invalid');
      (email.value.trim() === '' ? email : password).focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = t('login.submitting');
    showError(null);
    login(email.value.trim(), password.value)
      .then((result) => {
        if (result.ok) {
          options.onSignedIn(result.me);
          return;
        }
        showError(LOGIN_ERRORS[result.reason]);
        password.value = '';
        password.focus();
      })
      .catch(() => showError('login.network'))
      .finally(() => {
        busy = false;
        submit.disabled = false;
        submit.textContent = t('login.submit');
      });
  });

  queueMicrotask(() => (email.value ? password : email).focus());
  return el('main', { className: 'login-screen' }, form);
}
