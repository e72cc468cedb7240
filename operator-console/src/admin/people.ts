import { t, type MessageKey } from '../i18n';
import { MIN_PASSWORD_LENGTH, type Role } from '../shared/contract';
import { el } from '../shared/dom';
import { copyText, createFieldErrors, labelled, showStatus } from '../shared/form';
import { adminApi, LANGUAGES, ROLES, type Invitation, type PersonDto, type UiLanguage } from './api';
import { alertLine, badge, busy, button, emptyState, LANGUAGE_LABEL, problemText, showText, statusLine, type AdminContext, type AdminPage } from './common';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const ROLE_LABEL: Record<Role, MessageKey> = { Operator: 'admin.role.Operator', Manager: 'admin.role.Manager', Admin: 'admin.role.Admin' };

const languageSelect = (name: string) =>
  el('select', { attrs: { name } }, ...LANGUAGES.map((code) => el('option', { text: t(LANGUAGE_LABEL[code]), attrs: { value: code } })));

/**
 * People: search, create (with a password, or invited: the link is shown to copy), edit (with the version:
 * a 409 means someone else saved first), disable after a confirmation, enable, and a new invitation link.
 */
export function createPeoplePage(context: AdminContext): AdminPage {
  let people: PersonDto[] = [];
  let editing: PersonDto | null = null;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;

  // ---- toolbar and list
  const heading = el('h2', { text: t('admin.people.heading'), attrs: { tabindex: '-1' } });
  const search = el('input', {
    attrs: { type: 'search', name: 'search', placeholder: t('admin.people.search'), 'aria-label': t('admin.people.search') },
  });
  const newButton = button(t('admin.people.new'), 'person-new', false);
  const listError = alertLine('people-error');
  const listStatus = statusLine('people-status');
  const list = el('ul', { className: 'admin-list', testId: 'people-list' });
  const empty = el('div', { testId: 'people-empty' });
  empty.hidden = true;

  // ---- invitation link (after inviting, or a new link for a pending invitation)
  const invitationFor = el('p', { className: 'invitation-for' });
  const invitationUrl = el('input', { testId: 'invitation-url', attrs: { type: 'text', readonly: '', name: 'invitationUrl', 'aria-label': t('admin.people.invitationUrl') } });
  const invitationCopy = button(t('admin.copy'), 'invitation-copy');
  const invitationExpires = el('p', { className: 'muted' });
  const invitationCopied = statusLine('invitation-copied');
  const invitationBox = el(
    'section',
    { className: 'invitation-box', testId: 'invitation-box', attrs: { 'aria-label': t('admin.people.invitationUrl') } },
    invitationFor,
    el('div', { className: 'copy-row' }, invitationUrl, invitationCopy),
    invitationExpires,
    invitationCopied,
  );
  invitationBox.hidden = true;

  // ---- create / edit form
  const errors = createFieldErrors();
  const email = el('input', { attrs: { type: 'email', name: 'email', autocomplete: 'off', maxlength: '256' } });
  const displayName = el('input', { attrs: { type: 'text', name: 'displayName', maxlength: '100' } });
  const roleBoxes = ROLES.map((role) => el('input', { attrs: { type: 'checkbox', name: 'roles', value: role } }));
  const rolesGroup = el(
    'fieldset',
    { className: 'field roles-field' },
    el('legend', { text: t('admin.people.roles') }),
    ...roleBoxes.map((box, index) => el('label', { className: 'field-inline' }, box, el('span', { text: t(ROLE_LABEL[ROLES[index] as Role]) }))),
  );
  const rolesError = errors.slot('roles', roleBoxes[0]);
  rolesGroup.append(rolesError);
  const language = languageSelect('language');
  const password = el('input', { attrs: { type: 'password', name: 'password', autocomplete: 'new-password' } });
  const passwordField = labelled(t('admin.people.password'), password, errors.slot('password', password), t('admin.people.passwordHint', { min: MIN_PASSWORD_LENGTH }));
  const formTitle = el('h3', { attrs: { tabindex: '-1' } });
  const formError = alertLine('person-error');
  const save = button(t('admin.save'), 'person-save', false, 'submit');
  const cancel = button(t('admin.cancel'), 'person-cancel');
  const emailField = labelled(t('admin.people.email'), email, errors.slot('email', email));
  const form = el(
    'form',
    { className: 'admin-form person-form', testId: 'person-form', attrs: { novalidate: '' } },
    formTitle,
    emailField,
    labelled(t('admin.people.displayName'), displayName, errors.slot('displayName', displayName)),
    rolesGroup,
    labelled(t('admin.people.language'), language, errors.slot('language', language)),
    passwordField,
    formError,
    el('div', { className: 'form-actions' }, save, cancel),
  );
  form.hidden = true;

  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-people' },
    heading,
    el('div', { className: 'admin-toolbar' }, search, newButton),
    listStatus,
    invitationBox,
    form,
    listError,
    empty,
    list,
  );

  const showInvitation = (person: string, invitation: Invitation) => {
    invitationFor.textContent = t('admin.people.invitationFor', { email: person });
    invitationUrl.value = invitation.invitationUrl;
    invitationExpires.textContent = t('admin.people.invitationExpires', { date: new Date(invitation.invitationExpiresAt).toLocaleString() });
    showText(invitationCopied, null);
    invitationBox.hidden = false;
    invitationUrl.focus();
    invitationUrl.select();
  };
  invitationCopy.addEventListener('click', () => {
    void copyText(invitationUrl.value, invitationUrl).then((copied) =>
      showText(invitationCopied, copied ? t('admin.copied') : t('admin.copyManually')),
    );
  });

  // ---- list
  const renderList = () => {
    const filtered = search.value.trim() !== '';
    empty.replaceChildren(filtered ? emptyState(t('admin.people.noMatch')) : emptyState(t('admin.people.empty')));
    empty.hidden = people.length > 0;
    list.replaceChildren(...people.map(renderRow));
  };

  const renderRow = (person: PersonDto) => {
    const badges = el('span', { className: 'admin-badges' });
    for (const role of person.roles) badges.append(badge(t(ROLE_LABEL[role] ?? 'admin.role.Operator'), 'person-role'));
    if (person.disabled) badges.append(badge(t('admin.people.disabled'), 'person-disabled', 'danger'));
    if (person.invitationPending) badges.append(badge(t('admin.people.pending'), 'person-pending', 'pending'));
    const edit = button(t('admin.edit'), 'person-edit');
    edit.setAttribute('aria-label', t('admin.people.editLabel', { name: person.displayName }));
    edit.addEventListener('click', () => openForm(person));
    const actions = el('span', { className: 'admin-actions' }, edit);
    if (person.disabled) {
      const enable = button(t('admin.people.enable'), 'person-enable');
      enable.addEventListener('click', () => void setDisabled(person, false, enable));
      actions.append(enable);
    } else {
      const disable = button(t('admin.people.disable'), 'person-disable');
      disable.addEventListener('click', () =>
        context.confirm.ask({
          title: t('admin.people.disableTitle', { name: person.displayName }),
          text: t('admin.people.disableText'),
          confirmText: 'admin.people.disable',
          opener: disable,
          action: () => setDisabled(person, true, null),
        }),
      );
      actions.append(disable);
    }
    if (person.invitationPending) {
      const invite = button(t('admin.people.newLink'), 'person-invite');
      invite.addEventListener('click', () => void newLink(person, invite));
      actions.append(invite);
    }
    return el(
      'li',
      { className: person.disabled ? 'admin-row disabled' : 'admin-row', testId: 'person-row', attrs: { 'data-email': person.email, 'data-id': person.id } },
      el('span', { className: 'admin-row-main' }, el('strong', { text: person.displayName }), el('span', { className: 'muted', text: person.email })),
      el('span', { className: 'muted', text: t(LANGUAGE_LABEL[person.language] ?? 'admin.language.en') }),
      badges,
      actions,
    );
  };

  const rowOf = (id: string) => [...list.children].find((row): row is HTMLElement => row instanceof HTMLElement && row.dataset.id === id);

  const load = async () => {
    const id = ++seq;
    const result = await adminApi.people(search.value.trim());
    if (id !== seq) return false;
    if (!result.ok) {
      showText(listError, problemText(result.problem));
      return false;
    }
    showText(listError, null);
    people = result.value;
    renderList();
    return true;
  };

  const replace = (person: PersonDto) => {
    people = people.map((item) => (item.id === person.id ? person : item));
    renderList();
  };

  const setDisabled = async (person: PersonDto, disabled: boolean, trigger: HTMLButtonElement | null): Promise<string | null> => {
    const run = () => adminApi.setPersonDisabled(person.id, disabled);
    const result = trigger ? await busy(trigger, t('admin.working'), run) : await run();
    if (!result.ok) {
      if (!disabled) showText(listError, problemText(result.problem));
      return problemText(result.problem);
    }
    replace(result.value);
    showStatus(listStatus, t(disabled ? 'admin.people.disabledDone' : 'admin.people.enabledDone', { name: person.displayName }));
    // The row was drawn again: keep the focus on the person (on the button that replaced the one used).
    rowOf(person.id)?.querySelector<HTMLElement>(`[data-testid="${disabled ? 'person-enable' : 'person-disable'}"]`)?.focus();
    return null;
  };

  const newLink = async (person: PersonDto, trigger: HTMLButtonElement) => {
    const result = await busy(trigger, t('admin.working'), () => adminApi.newInvitation(person.id));
    if (!result.ok) {
      showText(listError, problemText(result.problem));
      return;
    }
    showText(listError, null);
    showInvitation(person.email, result.value);
  };

  // ---- form
  function openForm(person: PersonDto | null) {
    editing = person;
    errors.clear();
    showText(formError, null);
    formTitle.textContent = person ? t('admin.people.editTitle', { name: person.displayName }) : t('admin.people.newTitle');
    email.value = person?.email ?? '';
    email.readOnly = person !== null;
    displayName.value = person?.displayName ?? '';
    for (const box of roleBoxes) box.checked = person ? person.roles.includes(box.value as Role) : box.value === 'Operator';
    language.value = person?.language ?? 'en';
    password.value = '';
    passwordField.hidden = person !== null;
    form.hidden = false;
    (person ? displayName : email).focus();
  }

  const closeForm = () => {
    const opener = editing ? rowOf(editing.id)?.querySelector<HTMLElement>('[data-testid="person-edit"]') : newButton;
    editing = null;
    form.hidden = true;
    errors.clear();
    opener?.focus();
  };
  cancel.addEventListener('click', closeForm);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeForm();
  });

  /** Client-side checks for the obvious mistakes; the server checks everything again. */
  const validate = (): boolean => {
    errors.clear();
    if (!editing && !EMAIL.test(email.value.trim())) errors.set('email', t('admin.people.emailInvalid'));
    if (displayName.value.trim() === '') errors.set('displayName', t('admin.people.nameRequired'));
    if (!roleBoxes.some((box) => box.checked)) errors.set('roles', t('admin.people.rolesRequired'));
    if (!editing && password.value !== '' && password.value.length < MIN_PASSWORD_LENGTH)
      errors.set('password', t('admin.passwordTooShort', { min: MIN_PASSWORD_LENGTH }));
    return !errors.hasErrors();
  };

  const showProblem = (problem: Parameters<typeof problemText>[0]) => {
    const unplaced = problem ? errors.show(problem) : [];
    const placed = errors.hasErrors();
    showText(formError, placed && unplaced.length === 0 ? t('admin.fixFields') : [problemText(problem), ...unplaced].join(' '));
    errors.focusFirst();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (save.disabled) return;
    showText(formError, null);
    if (!validate()) {
      showText(formError, t('admin.fixFields'));
      errors.focusFirst();
      return;
    }
    const roles = roleBoxes.filter((box) => box.checked).map((box) => box.value as Role);
    const lang = language.value as UiLanguage;
    const person = editing;
    void busy(save, t('admin.saving'), async () => {
      if (person) {
        const result = await adminApi.updatePerson(person.id, { displayName: displayName.value.trim(), roles, language: lang, version: person.version });
        if (result.ok) {
          replace(result.value);
          closeForm();
          showStatus(listStatus, t('admin.savedName', { name: result.value.displayName }));
        } else if (result.problem?.status === 409) {
          await load();
          const fresh = people.find((item) => item.id === person.id);
          if (fresh) openForm(fresh);
          showText(formError, t('admin.stale'));
        } else {
          showProblem(result.problem);
        }
        return;
      }
      const result = await adminApi.createPerson({
        email: email.value.trim(),
        displayName: displayName.value.trim(),
        roles,
        language: lang,
        password: password.value === '' ? null : password.value,
      });
      if (!result.ok) {
        // A duplicate e-mail is a 409 without a field map: it belongs next to the e-mail.
        if (result.problem?.status === 409 && Object.keys(result.problem.fields).length === 0) {
          errors.set('email', result.problem.detail ?? result.problem.title ?? t('admin.people.emailTaken'));
          showText(formError, t('admin.fixFields'));
          email.focus();
        } else {
          showProblem(result.problem);
        }
        return;
      }
      form.hidden = true;
      editing = null;
      showStatus(listStatus, t(result.value.invitationUrl ? 'admin.people.invited' : 'admin.people.created', { name: result.value.person.displayName }));
      await load();
      if (result.value.invitationUrl && result.value.invitationExpiresAt)
        showInvitation(result.value.person.email, { invitationUrl: result.value.invitationUrl, invitationExpiresAt: result.value.invitationExpiresAt });
      else newButton.focus();
    });
  });

  newButton.addEventListener('click', () => {
    invitationBox.hidden = true;
    showText(listStatus, null);
    openForm(null);
  });
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void load(), 250);
  });

  return {
    element,
    show: () => void load(),
  };
}
