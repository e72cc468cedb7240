import { t } from '../i18n';
import { el } from '../shared/dom';
import { createFieldErrors, labelled, showStatus } from '../shared/form';
import type { Problem } from '../shared/http';
import { adminApi, type OperatorRouting, type SkillDto, type SkillLevel } from './api';
import { alertLine, badge, busy, button, emptyState, KEY_PATTERN, problemText, showText, statusLine, type AdminContext, type AdminPage } from './common';

const MAX_CAPACITY = 50;
const PROFICIENCIES = [1, 2, 3, 4, 5];

/**
 * Skills (create, rename in place, retire after a confirmation, restore) and the grid of operators by skills:
 * a proficiency per cell and a capacity per row, saved row by row.
 */
export function createSkillsPage(context: AdminContext): AdminPage {
  let skills: SkillDto[] = [];
  let operators: OperatorRouting[] = [];
  let seq = 0;

  const heading = el('h2', { text: t('admin.skills.heading'), attrs: { tabindex: '-1' } });
  const loadError = alertLine('skills-error');
  const skillsStatus = statusLine('skills-status');

  // ---- create a skill
  const createErrors = createFieldErrors();
  const keyInput = el('input', { testId: 'skill-new-key', attrs: { type: 'text', name: 'key', autocomplete: 'off', maxlength: '64', placeholder: 'billing' } });
  const nameInput = el('input', { testId: 'skill-new-name', attrs: { type: 'text', name: 'name', maxlength: '100' } });
  const createButton = button(t('admin.skills.create'), 'skill-create', false, 'submit');
  const createError = alertLine('skill-create-error');
  const createForm = el(
    'form',
    { className: 'admin-form admin-inline-form', testId: 'skill-create-form', attrs: { novalidate: '', 'aria-label': t('admin.skills.createTitle') } },
    labelled(t('admin.skills.key'), keyInput, createErrors.slot('key', keyInput), t('admin.keyHint')),
    labelled(t('admin.skills.name'), nameInput, createErrors.slot('name', nameInput)),
    el('div', { className: 'form-actions' }, createButton),
    createError,
  );
  const skillList = el('ul', { className: 'admin-list', testId: 'skill-list' });
  const skillsEmpty = emptyState(t('admin.skills.empty'));
  skillsEmpty.hidden = true;

  // ---- operators x skills grid
  const grid = el('table', { className: 'admin-table routing-grid', testId: 'routing-grid' });
  const gridEmpty = emptyState(t('admin.skills.noOperators'), { href: '#admin/people', text: t('admin.skills.noOperatorsLink') });
  gridEmpty.hidden = true;

  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-skills' },
    heading,
    loadError,
    el(
      'section',
      { className: 'admin-section' },
      el('h3', { text: t('admin.skills.listHeading') }),
      createForm,
      skillsStatus,
      skillsEmpty,
      skillList,
    ),
    el(
      'section',
      { className: 'admin-section' },
      el('h3', { text: t('admin.skills.gridHeading') }),
      el('p', { className: 'muted', text: t('admin.skills.gridIntro') }),
      gridEmpty,
      el('div', { className: 'admin-scroll' }, grid),
    ),
  );

  const activeSkills = () => skills.filter((skill) => !skill.retired);

  // ---- skills list
  const renderSkills = () => {
    skillsEmpty.hidden = skills.length > 0;
    skillList.replaceChildren(...skills.map(renderSkill));
  };

  const rowOf = (key: string) =>
    [...skillList.children].find((row): row is HTMLElement => row instanceof HTMLElement && row.dataset.key === key);

  function renderSkill(skill: SkillDto): HTMLElement {
    const name = el('span', { className: 'skill-name', testId: 'skill-name', text: skill.name });
    const rename = button(t('admin.skills.rename'), 'skill-rename');
    rename.setAttribute('aria-label', t('admin.skills.renameLabel', { name: skill.name }));
    const toggle = skill.retired ? button(t('admin.skills.restore'), 'skill-restore') : button(t('admin.skills.retire'), 'skill-retire');
    const row = el(
      'li',
      { className: skill.retired ? 'admin-row retired' : 'admin-row', testId: 'skill-row', attrs: { 'data-key': skill.key } },
      el('code', { className: 'skill-key', text: skill.key }),
      name,
      ...(skill.retired ? [badge(t('admin.skills.retired'), 'skill-retired', 'retired')] : []),
      el('span', { className: 'admin-actions' }, rename, toggle),
    );
    rename.addEventListener('click', () => startRename(skill, row, name));
    toggle.addEventListener('click', () => {
      if (skill.retired) {
        void busy(toggle, t('admin.working'), () => setRetired(skill, false)).then((error) => {
          if (error) showText(loadError, error);
        });
        return;
      }
      context.confirm.ask({
        title: t('admin.skills.retireTitle', { name: skill.name }),
        text: t('admin.skills.retireText'),
        confirmText: 'admin.skills.retire',
        opener: toggle,
        action: () => setRetired(skill, true),
      });
    });
    return row;
  }

  const setRetired = async (skill: SkillDto, retired: boolean): Promise<string | null> => {
    const result = await adminApi.setSkillRetired(skill.id, retired);
    if (!result.ok) return problemText(result.problem);
    showText(loadError, null);
    skills = skills.map((item) => (item.id === skill.id ? result.value : item));
    renderSkills();
    renderGrid();
    showStatus(skillsStatus, t(retired ? 'admin.skills.retiredDone' : 'admin.skills.restoredDone', { name: skill.name }));
    rowOf(skill.key)?.querySelector<HTMLElement>(retired ? '[data-testid="skill-restore"]' : '[data-testid="skill-retire"]')?.focus();
    return null;
  };

  /** Rename in place: the name becomes a small form (Enter saves, Escape cancels). */
  function startRename(skill: SkillDto, row: HTMLElement, name: HTMLElement) {
    const errors = createFieldErrors();
    const input = el('input', { testId: 'skill-rename-input', attrs: { type: 'text', name: 'name', maxlength: '100', 'aria-label': t('admin.skills.name') } });
    input.value = skill.name;
    const save = button(t('admin.save'), 'skill-rename-save', false, 'submit');
    const cancel = button(t('admin.cancel'), 'skill-rename-cancel');
    const error = alertLine('skill-rename-error');
    const form = el('form', { className: 'rename-form', attrs: { novalidate: '' } }, input, save, cancel, errors.slot('name', input), error);
    const actions = row.querySelector<HTMLElement>('.admin-actions');
    const restore = () => {
      form.replaceWith(name);
      if (actions) actions.hidden = false;
      row.querySelector<HTMLElement>('[data-testid="skill-rename"]')?.focus();
    };
    cancel.addEventListener('click', restore);
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') restore();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (save.disabled) return;
      errors.clear();
      showText(error, null);
      const value = input.value.trim();
      if (value === '' || value.length > 100) {
        errors.set('name', t('admin.skills.nameInvalid'));
        input.focus();
        return;
      }
      void busy(save, t('admin.saving'), async () => {
        const result = await adminApi.renameSkill(skill.id, value);
        if (!result.ok) {
          const unplaced = result.problem ? errors.show(result.problem) : [];
          if (!errors.hasErrors() || unplaced.length > 0) showText(error, [problemText(result.problem), ...unplaced].join(' '));
          input.focus();
          return;
        }
        skills = skills.map((item) => (item.id === skill.id ? result.value : item));
        renderSkills();
        renderGrid();
        showStatus(skillsStatus, t('admin.savedName', { name: result.value.name }));
        rowOf(skill.key)?.querySelector<HTMLElement>('[data-testid="skill-rename"]')?.focus();
      });
    });
    name.replaceWith(form);
    if (actions) actions.hidden = true;
    input.focus();
    input.select();
  }

  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (createButton.disabled) return;
    createErrors.clear();
    showText(createError, null);
    const key = keyInput.value.trim();
    const name = nameInput.value.trim();
    if (!KEY_PATTERN.test(key)) createErrors.set('key', t('admin.keyInvalid'));
    if (name === '' || name.length > 100) createErrors.set('name', t('admin.skills.nameInvalid'));
    if (createErrors.hasErrors()) {
      createErrors.focusFirst();
      return;
    }
    void busy(createButton, t('admin.saving'), async () => {
      const result = await adminApi.createSkill(key, name);
      if (!result.ok) {
        showCreateProblem(result.problem);
        return;
      }
      skills = [...skills, result.value].sort((a, b) => a.key.localeCompare(b.key));
      keyInput.value = '';
      nameInput.value = '';
      renderSkills();
      renderGrid();
      showStatus(skillsStatus, t('admin.skills.created', { name: result.value.name }));
      keyInput.focus();
    });
  });

  const showCreateProblem = (problem: Problem | null) => {
    if (problem?.status === 409 && Object.keys(problem.fields).length === 0) {
      createErrors.set('key', problem.detail ?? problem.title ?? t('admin.keyTaken'));
    } else {
      const unplaced = problem ? createErrors.show(problem) : [];
      if (!createErrors.hasErrors() || unplaced.length > 0) showText(createError, [problemText(problem), ...unplaced].join(' '));
    }
    if (!createErrors.focusFirst()) keyInput.focus();
  };

  // ---- grid
  function renderGrid() {
    const columns = activeSkills();
    gridEmpty.hidden = operators.length > 0;
    grid.hidden = operators.length === 0;
    grid.replaceChildren(
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { text: t('admin.skills.operator'), attrs: { scope: 'col' } }),
          ...columns.map((skill) =>
            el('th', { attrs: { scope: 'col', 'data-key': skill.key } }, el('span', { text: skill.name }), el('code', { className: 'muted', text: skill.key })),
          ),
          el('th', { text: t('admin.skills.capacity'), attrs: { scope: 'col' } }),
          el('th', { attrs: { scope: 'col' } }, el('span', { className: 'visually-hidden', text: t('admin.save') })),
        ),
      ),
      el('tbody', {}, ...operators.map((operator) => renderOperator(operator, columns))),
    );
  }

  function renderOperator(operator: OperatorRouting, columns: SkillDto[]): HTMLElement {
    const levels = new Map(operator.skills.map((level) => [level.skill, level.proficiency]));
    const selects = columns.map((skill) => {
      const select = el(
        'select',
        {
          testId: `routing-cell-${skill.key}`,
          attrs: { name: `proficiency-${skill.key}`, 'aria-label': t('admin.skills.cellLabel', { skill: skill.name, name: operator.displayName }) },
        },
        el('option', { text: '—', attrs: { value: '' } }),
        ...PROFICIENCIES.map((level) => el('option', { text: String(level), attrs: { value: String(level) } })),
      );
      select.value = String(levels.get(skill.key) ?? '');
      return { skill: skill.key, select };
    });
    const capacity = el('input', {
      testId: 'routing-capacity',
      attrs: {
        type: 'number',
        name: 'maxConcurrentChats',
        min: '1',
        max: String(MAX_CAPACITY),
        step: '1',
        'aria-label': t('admin.skills.capacityLabel', { name: operator.displayName }),
      },
    });
    capacity.value = String(operator.maxConcurrentChats);
    const save = button(t('admin.save'), 'routing-save');
    save.setAttribute('aria-label', t('admin.skills.saveRowLabel', { name: operator.displayName }));
    const status = el('span', { className: 'save-status', testId: 'routing-row-status', attrs: { role: 'status' } });
    const error = el('span', { className: 'form-error', testId: 'routing-row-error', attrs: { role: 'alert' } });
    error.hidden = true;
    status.hidden = true;
    const row = el(
      'tr',
      { testId: 'routing-row', attrs: { 'data-email': operator.email, 'data-id': operator.id } },
      el('th', { attrs: { scope: 'row' } }, el('span', { text: operator.displayName }), el('span', { className: 'muted', text: operator.email })),
      ...selects.map(({ select }) => el('td', {}, select)),
      el('td', {}, capacity),
      el('td', { className: 'routing-actions' }, save, status, error),
    );
    const markChanged = () => {
      row.dataset.changed = 'true';
      showStatus(status, t('admin.skills.unsaved'));
      showText(error, null);
    };
    for (const { select } of selects) select.addEventListener('change', markChanged);
    capacity.addEventListener('input', markChanged);
    save.addEventListener('click', () => {
      if (save.disabled) return;
      const max = Number(capacity.value);
      if (!Number.isInteger(max) || max < 1 || max > MAX_CAPACITY) {
        showText(status, null);
        showText(error, t('admin.skills.capacityInvalid', { max: MAX_CAPACITY }));
        capacity.setAttribute('aria-invalid', 'true');
        capacity.focus();
        return;
      }
      capacity.removeAttribute('aria-invalid');
      const shown = new Set(columns.map((skill) => skill.key));
      // Levels on retired skills have no column: they are kept as they are.
      const kept = operator.skills.filter((level) => !shown.has(level.skill));
      const chosen: SkillLevel[] = selects
        .filter(({ select }) => select.value !== '')
        .map(({ skill, select }) => ({ skill, proficiency: Number(select.value) }));
      const body = { maxConcurrentChats: max, skills: [...chosen, ...kept] };
      void busy(save, t('admin.saving'), async () => {
        const result = await adminApi.saveOperatorRouting(operator.id, body);
        if (!result.ok) {
          showText(status, null);
          showText(error, problemText(result.problem));
          return;
        }
        operator.maxConcurrentChats = body.maxConcurrentChats;
        operator.skills = body.skills;
        delete row.dataset.changed;
        showText(error, null);
        showStatus(status, t('admin.saved'));
      });
    });
    return row;
  }

  const load = async () => {
    const id = ++seq;
    const [skillResult, operatorResult] = await Promise.all([adminApi.skills(), adminApi.operators()]);
    if (id !== seq) return;
    const problems = [skillResult, operatorResult].flatMap((result) => (result.ok ? [] : [problemText(result.problem)]));
    showText(loadError, problems.length > 0 ? problems.join(' ') : null);
    if (skillResult.ok) skills = skillResult.value;
    if (operatorResult.ok) operators = operatorResult.value;
    renderSkills();
    renderGrid();
  };

  return {
    element,
    show: () => void load(),
  };
}
