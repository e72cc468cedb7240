import { t } from '../i18n';
import { MAX_MESSAGE_LENGTH, type AnswerDto, type AnswerInput, type AnswerLanguage } from '../shared/contract';
import { el } from '../shared/dom';
import type { Problem } from '../shared/http';
import { createAnswer, EXPORT_URL, importCsv, listAnswers, normalizeShortcut, setRetired, updateAnswer, type ApiResult } from './api';

export interface AnswersAdminOptions {
  /** The user has the Admin role (shared answers, CSV import/export). */
  isAdmin: boolean;
}

export interface AnswersAdmin {
  /** Header button that opens the panel. */
  button: HTMLButtonElement;
  /** The panel (an overlay; hidden until opened). */
  element: HTMLElement;
  open(): Promise<void>;
  close(): void;
}

/** Problem -> one readable line. A duplicate shortcut (409) gets its own message. */
export function problemText(problem: Problem | null): string {
  if (problem === null) return t('answers.network');
  if (problem.status === 409) return problem.detail ? `${t('answers.duplicateShortcut')} ${problem.detail}` : t('answers.duplicateShortcut');
  const parts: string[] = [];
  if (problem.title) parts.push(problem.title);
  if (problem.detail && problem.detail !== problem.title) parts.push(problem.detail);
  parts.push(...problem.errors);
  if (parts.length > 0) return parts.join(' — ');
  if (problem.status === 403) return t('answers.forbidden');
  return t('answers.failed', { status: problem.status });
}

/**
 * The answer library page: lists GET /api/answers (shared + own personal ones), create/edit/retire/restore,
 * CSV export/import for admins. Shared answers are editable only by admins.
 */
export function createAnswersAdmin(options: AnswersAdminOptions): AnswersAdmin {
  const { isAdmin } = options;
  let answers: AnswerDto[] = [];
  let editing: AnswerDto | null = null;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  const button = el('button', {
    className: 'secondary',
    testId: 'answers-admin-open',
    text: t('answers.open'),
    attrs: { type: 'button', 'aria-haspopup': 'dialog' },
  });

  const search = el('input', {
    attrs: { type: 'search', name: 'q', 'aria-label': t('answers.search'), placeholder: t('answers.search') },
  });
  const includeRetired = el('input', { attrs: { type: 'checkbox', name: 'includeRetired' } });
  const newButton = el('button', { testId: 'answer-new', text: t('answers.new'), attrs: { type: 'button' } });
  const closeButton = el('button', { className: 'secondary', testId: 'answers-admin-close', text: t('answers.close'), attrs: { type: 'button' } });
  const listError = el('p', { className: 'panel-error', testId: 'answers-list-error', attrs: { role: 'alert' } });
  const list = el('ul', { className: 'answers-list', testId: 'answers-list' });
  const empty = el('p', { className: 'panel-empty', text: t('answers.empty') });

  // ---- create / edit form
  const field = (label: string, input: HTMLElement) => el('label', { className: 'field' }, el('span', { text: label }), input);
  const title = el('input', { attrs: { name: 'title', required: '', maxlength: '200' } });
  const shortcut = el('input', { attrs: { name: 'shortcut', required: '', placeholder: '#refund', autocomplete: 'off' } });
  const body = el('textarea', { attrs: { name: 'body', required: '', rows: '5', maxlength: String(MAX_MESSAGE_LENGTH) } });
  const category = el('input', { attrs: { name: 'category' } });
  const skill = el('input', { attrs: { name: 'skill' } });
  const language = el(
    'select',
    { attrs: { name: 'language' } },
    el('option', { text: t('answers.languageAny'), attrs: { value: '' } }),
    el('option', { text: 'English (en)', attrs: { value: 'en' } }),
    el('option', { text: 'Français (fr)', attrs: { value: 'fr' } }),
  );
  const personal = el('input', { attrs: { type: 'checkbox', name: 'personal' } });
  const formTitle = el('h3', { className: 'answers-form-title' });
  const formError = el('p', { className: 'form-error', testId: 'answer-error', attrs: { role: 'alert' } });
  const save = el('button', { testId: 'answer-save', text: t('answers.save'), attrs: { type: 'submit' } });
  const cancel = el('button', { className: 'secondary', text: t('answers.cancel'), attrs: { type: 'button' } });
  const form = el(
    'form',
    { className: 'answer-form', testId: 'answer-form', attrs: { novalidate: '' } },
    formTitle,
    field(t('answers.fieldTitle'), title),
    field(t('answers.fieldShortcut'), shortcut),
    field(t('answers.fieldBody'), body),
    el('p', { className: 'hint-inline', text: t('answers.placeholdersHint') }),
    field(t('answers.fieldCategory'), category),
    field(t('answers.fieldSkill'), skill),
    field(t('answers.fieldLanguage'), language),
    el('label', { className: 'field-inline' }, personal, el('span', { text: t('answers.fieldPersonal') })),
    formError,
    el('div', { className: 'form-actions' }, save, cancel),
  );
  form.hidden = true;

  // ---- CSV (admins)
  const importInput = el('input', {
    testId: 'answers-import',
    attrs: { type: 'file', accept: '.csv,text/csv', 'aria-label': t('answers.import') },
  });
  const importResult = el('div', { className: 'import-result', testId: 'answers-import-result', attrs: { role: 'status' } });
  importResult.hidden = true;
  const csvTools = el(
    'div',
    { className: 'answers-csv' },
    el('a', { testId: 'answers-export', text: t('answers.export'), attrs: { href: EXPORT_URL, download: 'answers.csv' } }),
    el('label', { className: 'field-inline' }, el('span', { text: t('answers.import') }), importInput),
    importResult,
  );
  csvTools.hidden = !isAdmin;

  const element = el(
    'section',
    {
      className: 'answers-admin',
      testId: 'answers-admin',
      attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'answers-admin-title' },
    },
    el(
      'div',
      { className: 'answers-admin-box' },
      el(
        'header',
        { className: 'answers-admin-header' },
        el('h2', { text: t('answers.heading'), attrs: { id: 'answers-admin-title' } }),
        el('span', { className: 'spacer' }),
        closeButton,
      ),
      el(
        'div',
        { className: 'answers-toolbar' },
        search,
        el('label', { className: 'field-inline' }, includeRetired, el('span', { text: t('answers.includeRetired') })),
        newButton,
      ),
      csvTools,
      form,
      listError,
      list,
      empty,
    ),
  );
  element.hidden = true;

  const canEdit = (answer: AnswerDto) => answer.personal || isAdmin;

  const showListError = (text: string | null) => {
    listError.textContent = text ?? '';
    listError.hidden = text === null;
  };
  showListError(null);
  formError.hidden = true;

  const renderList = () => {
    empty.hidden = answers.length > 0;
    list.replaceChildren(
      ...answers.map((answer) => {
        const badges = el('span', { className: 'answer-badges' });
        badges.append(
          el('span', {
            className: answer.personal ? 'badge personal' : 'badge shared',
            testId: 'answer-scope',
            text: answer.personal ? t('answers.personal') : t('answers.shared'),
          }),
        );
        if (answer.retired) badges.append(el('span', { className: 'badge retired', testId: 'answer-retired', text: t('answers.retired') }));
        for (const extra of [answer.language, answer.category, answer.skill]) if (extra) badges.append(el('span', { className: 'badge', text: extra }));
        const item = el(
          'li',
          { className: answer.retired ? 'answer-item retired' : 'answer-item', testId: 'answer-item', attrs: { 'data-answer-id': answer.id } },
          el(
            'div',
            { className: 'answer-item-top' },
            el('span', { className: 'answer-shortcut', text: answer.shortcut }),
            el('span', { className: 'answer-title', text: answer.title }),
            badges,
          ),
          el('p', { className: 'answer-body', text: answer.body }),
          el('span', { className: 'answer-usage', text: t('answers.usage', { count: answer.usageCount }) }),
        );
        if (canEdit(answer)) {
          const edit = el('button', { className: 'secondary', testId: 'answer-edit', text: t('answers.edit'), attrs: { type: 'button' } });
          edit.addEventListener('click', () => openForm(answer));
          const toggle = el('button', {
            className: 'secondary',
            testId: answer.retired ? 'answer-restore' : 'answer-retire',
            text: answer.retired ? t('answers.restore') : t('answers.retire'),
            attrs: { type: 'button' },
          });
          toggle.addEventListener('click', () => void retire(answer, !answer.retired, toggle));
          item.append(el('div', { className: 'answer-actions' }, edit, toggle));
        }
        return item;
      }),
    );
  };

  const refresh = async () => {
    const result = await listAnswers(search.value.trim(), includeRetired.checked);
    if (result.ok) {
      answers = result.value;
      showListError(null);
      renderList();
    } else {
      showListError(problemText(result.problem));
    }
  };

  const showFormError = (text: string | null) => {
    formError.textContent = text ?? '';
    formError.hidden = text === null;
  };

  function openForm(answer: AnswerDto | null) {
    editing = answer;
    formTitle.textContent = answer ? t('answers.editTitle') : t('answers.newTitle');
    title.value = answer?.title ?? '';
    shortcut.value = answer?.shortcut ?? '';
    body.value = answer?.body ?? '';
    category.value = answer?.category ?? '';
    skill.value = answer?.skill ?? '';
    language.value = answer?.language ?? '';
    // Non-admins only have personal answers; the scope of an existing answer cannot change.
    personal.checked = answer ? answer.personal : !isAdmin;
    personal.disabled = answer !== null || !isAdmin;
    showFormError(null);
    form.hidden = false;
    title.focus();
  }

  const closeForm = () => {
    editing = null;
    form.hidden = true;
    showFormError(null);
  };

  const readForm = (): AnswerInput | string => {
    const input: AnswerInput = {
      title: title.value.trim(),
      shortcut: normalizeShortcut(shortcut.value),
      body: body.value,
      category: category.value.trim() || null,
      skill: skill.value.trim() || null,
      language: (language.value || null) as AnswerLanguage | null,
      personal: personal.checked || !isAdmin,
    };
    if (input.title === '') return t('answers.titleRequired');
    if (input.shortcut === '' || input.shortcut === '#') return t('answers.shortcutRequired');
    if (input.body.trim() === '') return t('answers.bodyRequired');
    if (input.body.length > MAX_MESSAGE_LENGTH) return t('answers.bodyTooLong', { max: MAX_MESSAGE_LENGTH });
    return input;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = readForm();
    if (typeof input === 'string') {
      showFormError(input);
      return;
    }
    save.disabled = true;
    showFormError(null);
    const target = editing;
    const request: Promise<ApiResult<AnswerDto>> = target ? updateAnswer(target.id, input) : createAnswer(input);
    void request
      .then(async (result) => {
        if (!result.ok) {
          showFormError(problemText(result.problem)); // the typed values stay
          return;
        }
        closeForm();
        await refresh();
      })
      .finally(() => {
        save.disabled = false;
      });
  });

  const retire = async (answer: AnswerDto, retired: boolean, control: HTMLButtonElement) => {
    control.disabled = true;
    const result = await setRetired(answer.id, retired);
    control.disabled = false;
    if (!result.ok) {
      showListError(problemText(result.problem));
      return;
    }
    showListError(null);
    await refresh();
  };

  importInput.addEventListener('change', () => {
    const file = importInput.files?.[0];
    if (!file) return;
    importInput.disabled = true;
    void file
      .text()
      .then((csv) => importCsv(csv))
      .then(async (result) => {
        importResult.hidden = false;
        if (!result.ok) {
          importResult.replaceChildren(el('p', { className: 'form-error', text: problemText(result.problem) }));
          return;
        }
        const { imported, errors } = result.value;
        importResult.replaceChildren(el('p', { testId: 'answers-imported', text: t('answers.imported', { count: imported }) }));
        if (errors.length > 0) {
          importResult.append(
            el(
              'ul',
              { className: 'import-errors', testId: 'answers-import-errors' },
              ...errors.map((e) => el('li', { text: t('answers.importLineError', { line: e.line, message: e.message }) })),
            ),
          );
        }
        await refresh();
      })
      .catch(() => {
        importResult.hidden = false;
        importResult.replaceChildren(el('p', { className: 'form-error', text: t('answers.network') }));
      })
      .finally(() => {
        importInput.disabled = false;
        importInput.value = '';
      });
  });

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void refresh(), 250);
  });
  includeRetired.addEventListener('change', () => void refresh());
  newButton.addEventListener('click', () => openForm(null));
  cancel.addEventListener('click', closeForm);

  const close = () => {
    element.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  closeButton.addEventListener('click', close);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  const open = async () => {
    element.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    search.focus();
    await refresh();
  };
  button.addEventListener('click', () => {
    if (element.hidden) void open();
    else close();
  });

  return { button, element, open, close };
}
