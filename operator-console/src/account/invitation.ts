import { t } from '../i18n';
import { MIN_PASSWORD_LENGTH, type Me } from '../shared/contract';
import { el } from '../shared/dom';
import { createFieldErrors, labelled } from '../shared/form';
import { accountApi } from './api';

export interface InvitationViewOptions {
  token: string;
  /** GET /api/auth/me after accepting: the fresh session (and XSRF cookie). */
  fetchMe(): Promise<Me | null>;
  onSignedIn(me: Me): void;
  /** Where "Go to sign-in" leads (the console without the invitation hash). */
  loginHref: string;
}

/**
 * The page of an invitation link (#invitation=TOKEN), before signing in: shows the invited e-mail, asks for a
 * password (twice) and optionally a display name, accepts, and signs in. A link that is unknown, used or
 * expired gets one clear message and a way to the sign-in page.
 */
export function createInvitationView(options: InvitationViewOptions): HTMLElement {
  const errors = createFieldErrors();
  const email = el('strong', { testId: 'invitation-email' });
  const expires = el('p', { className: 'muted' });
  const displayName = el('input', { attrs: { type: 'text', name: 'displayName', maxlength: '100', autocomplete: 'name' } });
  const password = el('input', { attrs: { type: 'password', name: 'password', autocomplete: 'new-password' } });
  const confirmPassword = el('input', { attrs: { type: 'password', name: 'confirmPassword', autocomplete: 'new-password' } });
  const submit = el('button', { testId: 'invitation-submit', text: t('invitation.submit'), attrs: { type: 'submit' } });
  const formError = el('p', { className: 'form-error', testId: 'invitation-form-error', attrs: { role: 'alert' } });
  formError.hidden = true;
  const form = el(
    'form',
    { className: 'login-form invitation-form', testId: 'invitation-form', attrs: { novalidate: '' } },
    el('h1', { text: t('invitation.heading') }),
    el('p', {}, t('invitation.for'), ' ', email),
    expires,
    labelled(t('invitation.password'), password, errors.slot('password', password), t('invitation.passwordHint', { min: MIN_PASSWORD_LENGTH })),
    labelled(t('invitation.confirmPassword'), confirmPassword, errors.slot('confirmPassword', confirmPassword)),
    labelled(t('invitation.displayName'), displayName, errors.slot('displayName', displayName), t('invitation.displayNameHint')),
    formError,
    submit,
  );
  form.hidden = true;
  const loading = el('p', { className: 'boot', text: t('app.loading'), attrs: { role: 'status' } });
  const invalidText = el('p', { className: 'form-error', testId: 'invitation-error', attrs: { role: 'alert' } });
  const invalid = el(
    'div',
    { className: 'login-form invitation-invalid' },
    el('h1', { text: t('invitation.heading') }),
    invalidText,
    el('a', { testId: 'invitation-login', text: t('invitation.toLogin'), attrs: { href: options.loginHref } }),
  );
  invalid.hidden = true;

  const showInvalid = (text: string) => {
    form.hidden = true;
    loading.hidden = true;
    invalidText.textContent = text;
    invalid.hidden = false;
  };
  const showFormError = (text: string | null) => {
    formError.textContent = text ?? '';
    formError.hidden = text === null;
  };

  void accountApi.invitation(options.token).then((result) => {
    loading.hidden = true;
    if (!result.ok) {
      showInvalid(result.problem?.status === 404 ? t('invitation.invalid') : result.problem ? t('invitation.failed') : t('account.network'));
      return;
    }
    email.textContent = result.value.email;
    displayName.value = result.value.displayName;
    expires.textContent = t('invitation.expires', { date: new Date(result.value.expiresAt).toLocaleString() });
    form.hidden = false;
    password.focus();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    errors.clear();
    showFormError(null);
    if (password.value.length < MIN_PASSWORD_LENGTH) errors.set('password', t('account.passwordTooShort', { min: MIN_PASSWORD_LENGTH }));
    else if (confirmPassword.value !== password.value) errors.set('confirmPassword', t('account.passwordMismatch'));
    if (errors.hasErrors()) {
      errors.focusFirst();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('invitation.submitting');
    const name = displayName.value.trim();
    void (async () => {
      const result = await accountApi.acceptInvitation(options.token, password.value, name === '' ? null : name);
      if (!result.ok) {
        if (result.problem?.status === 404) {
          showInvalid(t('invitation.invalid'));
          return;
        }
        const unplaced = result.problem ? errors.show(result.problem) : [];
        if (!errors.hasErrors() || unplaced.length > 0)
          showFormError([result.problem ? (result.problem.detail ?? result.problem.title ?? t('invitation.failed')) : t('account.network'), ...unplaced].join(' '));
        if (!errors.focusFirst()) password.focus();
        return;
      }
      // Signed in: the identity changed, so /api/auth/me hands out the XSRF cookie for the next calls.
      const me = await options.fetchMe().catch(() => null);
      options.onSignedIn(me ?? result.value);
    })().finally(() => {
      submit.disabled = false;
      submit.textContent = t('invitation.submit');
    });
  });

  return el('main', { className: 'login-screen' }, loading, form, invalid);
}
