import { t } from '../i18n';
import { el } from '../shared/dom';
import { copyText, createFieldErrors, labelled, showStatus, type FieldInput } from '../shared/form';
import type { Problem } from '../shared/http';
import { adminApi, LANGUAGES, type SiteDto, type SiteSettings, type SkillDto, type TopicInput, type UiLanguage } from './api';
import { busy, button, KEY_PATTERN, LANGUAGE_LABEL, problemText, showText, statusLine, type AdminContext } from './common';
import { createSitePreview } from './sitePreview';
import { createSiteRoutingForm } from './siteRouting';

const MAX_ORIGINS = 50;
/** scheme://host[:port], http or https, no path/query/user info; `*.` only as the first label. */
const ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

export interface SiteEditor {
  element: HTMLElement;
  /** Opens a site (key) or a blank form (null); `notice` is shown as the save status once loaded. */
  open(key: string | null, notice?: string): Promise<void>;
}

export interface SiteEditorOptions {
  context: AdminContext;
  /** A new site was created: the area shows its page (#admin/sites/{key}). */
  onCreated(key: string): void;
}

const defaultTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * The site editor: settings and topics (POST for a new site, PUT with the version otherwise; a 409 reloads),
 * the embed snippet to copy, a live preview of the widget, and the routing settings below.
 */
export function createSiteEditor(options: SiteEditorOptions): SiteEditor {
  const { context } = options;
  let site: SiteDto | null = null;
  let skills: SkillDto[] = [];
  let topics: TopicInput[] = [];
  let seq = 0;

  const errors = createFieldErrors();
  const heading = el('h2', { attrs: { tabindex: '-1' } });
  const back = el('a', { className: 'admin-back', testId: 'site-back', text: t('admin.sites.back'), attrs: { href: '#admin/sites' } });

  // ---- fields (names are the API's)
  const key = el('input', { attrs: { type: 'text', name: 'key', maxlength: '64', autocomplete: 'off', placeholder: 'shop' } });
  const keyField = labelled(t('admin.sites.key'), key, errors.slot('key', key), t('admin.keyHint'));
  const name = el('input', { attrs: { type: 'text', name: 'name', maxlength: '100' } });
  const origins = el('textarea', { attrs: { name: 'allowedOrigins', rows: '3', spellcheck: 'false', placeholder: 'https://www.example.com' } });
  const timeZone = el('input', { attrs: { type: 'text', name: 'timeZone', list: 'admin-time-zones', autocomplete: 'off' } });
  const zones = el(
    'datalist',
    { attrs: { id: 'admin-time-zones' } },
    ...(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []).map((zone) => el('option', { attrs: { value: zone } })),
  );
  const languageBoxes = LANGUAGES.map((code) => el('input', { attrs: { type: 'checkbox', name: 'languages', value: code } }));
  const languagesField = el(
    'fieldset',
    { className: 'field' },
    el('legend', { text: t('admin.sites.languages') }),
    ...languageBoxes.map((box, index) => el('label', { className: 'field-inline' }, box, el('span', { text: t(LANGUAGE_LABEL[LANGUAGES[index] as UiLanguage]) }))),
    errors.slot('languages', languageBoxes[0]),
  );
  const disabled = el('input', { attrs: { type: 'checkbox', name: 'disabled' } });
  const missWhenOnlyAway = el('input', { attrs: { type: 'checkbox', name: 'missWhenOnlyAway' } });
  const retentionDays = el('input', { attrs: { type: 'number', name: 'retentionDays', min: '1', max: '3650', step: '1' } });
  const existingOnly = el(
    'div',
    { className: 'admin-grid' },
    el('div', { className: 'field' }, el('label', { className: 'field-inline' }, disabled, el('span', { text: t('admin.sites.disabled') })), errors.slot('disabled', disabled)),
    el('div', { className: 'field' }, el('label', { className: 'field-inline' }, missWhenOnlyAway, el('span', { text: t('admin.sites.missWhenOnlyAway') })), errors.slot('missWhenOnlyAway', missWhenOnlyAway)),
    labelled(t('admin.sites.retentionDays'), retentionDays, errors.slot('retentionDays', retentionDays), t('admin.sites.retentionHint')),
  );

  // ---- topics
  const topicList = el('ol', { className: 'topic-list', testId: 'topic-list' });
  const topicsError = errors.slot('topics');
  const topicsEmpty = el('p', { className: 'panel-empty', testId: 'topics-empty', text: t('admin.sites.noTopics') });
  const addTopic = button(t('admin.sites.addTopic'), 'topic-add');
  const noSkills = el('p', { className: 'muted', testId: 'topics-no-skills' }, t('admin.sites.noSkills'), ' ', el('a', { text: t('admin.sites.noSkillsLink'), attrs: { href: '#admin/skills' } }));
  noSkills.hidden = true;

  const save = button(t('admin.save'), 'site-save', false, 'submit');
  const status = el('p', { className: 'save-status', testId: 'site-status', attrs: { role: 'status' } });
  status.hidden = true;

  const form = el(
    'form',
    { className: 'admin-form site-form', testId: 'site-form', attrs: { novalidate: '' } },
    keyField,
    labelled(t('admin.sites.name'), name, errors.slot('name', name)),
    labelled(t('admin.sites.allowedOrigins'), origins, errors.slot('allowedOrigins', origins), t('admin.sites.originsHint')),
    labelled(t('admin.sites.timeZone'), timeZone, errors.slot('timeZone', timeZone), t('admin.sites.timeZoneHint')),
    zones,
    languagesField,
    existingOnly,
    el(
      'fieldset',
      { className: 'topics-field' },
      el('legend', { text: t('admin.sites.topics') }),
      el('p', { className: 'muted', text: t('admin.sites.topicsHint') }),
      noSkills,
      topicsEmpty,
      topicList,
      topicsError,
      addTopic,
    ),
    el('div', { className: 'form-actions' }, save),
    status,
  );

  // ---- snippet, preview, routing
  const snippetCode = el('code', { testId: 'site-snippet' });
  const snippetCopy = button(t('admin.copy'), 'site-snippet-copy');
  const snippetStatus = statusLine('site-snippet-status');
  const snippet = el(
    'section',
    { className: 'admin-section site-snippet' },
    el('h3', { text: t('admin.sites.snippet') }),
    el('p', { className: 'muted', text: t('admin.sites.snippetHint') }),
    el('pre', {}, snippetCode),
    el('div', { className: 'form-actions' }, snippetCopy),
    snippetStatus,
  );
  snippetCopy.addEventListener('click', () => {
    void copyText(snippetCode.textContent ?? '', snippetCode).then((copied) => showText(snippetStatus, copied ? t('admin.copied') : t('admin.copyManually')));
  });
  const preview = createSitePreview();
  const previewLanguage = el('select', { attrs: { name: 'previewLanguage' } });
  const routing = createSiteRoutingForm();
  const loadError = el('p', { className: 'form-error', testId: 'site-load-error', attrs: { role: 'alert' } });
  loadError.hidden = true;

  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-site' },
    back,
    heading,
    loadError,
    el(
      'div',
      { className: 'site-editor' },
      form,
      el(
        'aside',
        { className: 'site-side' },
        el('h3', { text: t('admin.sites.preview') }),
        labelled(t('admin.sites.previewLanguage'), previewLanguage),
        preview.element,
      ),
    ),
    snippet,
    routing.element,
  );

  // ---- reading the form
  const chosenLanguages = () => languageBoxes.filter((box) => box.checked).map((box) => box.value as UiLanguage);
  const read = (): SiteSettings => ({
    name: name.value.trim(),
    allowedOrigins: origins.value
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    timeZone: timeZone.value.trim(),
    languages: chosenLanguages(),
    disabled: disabled.checked,
    missWhenOnlyAway: missWhenOnlyAway.checked,
    retentionDays: retentionDays.value.trim() === '' ? null : Number(retentionDays.value),
    topics: topics.map((topic) => ({ ...topic, key: topic.key.trim(), labelEn: topic.labelEn.trim(), labelFr: topic.labelFr.trim() })),
  });

  const refreshPreview = () => {
    const languages = chosenLanguages();
    const offered = languages.length > 0 ? languages : (['en'] as UiLanguage[]);
    const selected = previewLanguage.value as UiLanguage;
    previewLanguage.replaceChildren(...offered.map((code) => el('option', { text: t(LANGUAGE_LABEL[code]), attrs: { value: code } })));
    previewLanguage.value = offered.includes(selected) ? selected : (offered[0] as UiLanguage);
    preview.update(read(), previewLanguage.value as UiLanguage);
  };
  form.addEventListener('input', refreshPreview);
  form.addEventListener('change', refreshPreview);
  previewLanguage.addEventListener('change', refreshPreview);

  // ---- topics editor
  const activeSkills = () => skills.filter((skill) => !skill.retired);
  const renderTopics = (focus?: { index: number; testId: string }) => {
    errors.drop('topics[');
    topicsEmpty.hidden = topics.length > 0;
    noSkills.hidden = activeSkills().length > 0;
    topicList.replaceChildren(...topics.map((topic, index) => renderTopic(topic, index)));
    if (focus) topicList.children[focus.index]?.querySelector<HTMLElement>(`[data-testid="${focus.testId}"]`)?.focus();
    refreshPreview();
  };

  function renderTopic(topic: TopicInput, index: number): HTMLElement {
    const prefix = `topics[${index}]`;
    const input = (fieldName: string, value: string, label: string, field: 'key' | 'labelEn' | 'labelFr', maxlength: string) => {
      const node = el('input', { attrs: { type: 'text', name: fieldName, maxlength, 'aria-label': t('admin.sites.topicFieldLabel', { field: label, number: index + 1 }) } });
      node.value = value;
      node.addEventListener('input', () => {
        topic[field] = node.value;
      });
      return node;
    };
    const topicKey = input('topicKey', topic.key, t('admin.sites.topicKey'), 'key', '64');
    const labelEn = input('topicLabelEn', topic.labelEn, t('admin.sites.topicLabelEn'), 'labelEn', '100');
    const labelFr = input('topicLabelFr', topic.labelFr, t('admin.sites.topicLabelFr'), 'labelFr', '100');
    const offered = skills.filter((skill) => !skill.retired || skill.key === topic.skill);
    const skill = el(
      'select',
      { attrs: { name: 'topicSkill', 'aria-label': t('admin.sites.topicFieldLabel', { field: t('admin.sites.topicSkill'), number: index + 1 }) } },
      el('option', { text: t('admin.sites.chooseSkill'), attrs: { value: '' } }),
      ...offered.map((option) => el('option', { text: `${option.name} (${option.key})`, attrs: { value: option.key } })),
    );
    skill.value = topic.skill;
    skill.addEventListener('change', () => {
      topic.skill = skill.value;
    });
    const priority = el('input', {
      attrs: {
        type: 'number',
        name: 'topicPriority',
        min: '0',
        max: '100',
        step: '1',
        'aria-label': t('admin.sites.topicFieldLabel', { field: t('admin.sites.topicPriority'), number: index + 1 }),
      },
    });
    priority.value = String(topic.priority);
    priority.addEventListener('input', () => {
      topic.priority = priority.value.trim() === '' ? Number.NaN : Number(priority.value);
    });
    const cell = (label: string, node: FieldInput, field: string) =>
      el('div', { className: 'topic-cell' }, el('span', { className: 'topic-cell-label', text: label, attrs: { 'aria-hidden': 'true' } }), node, errors.slot(`${prefix}.${field}`, node));
    const up = button('↑', 'topic-up');
    up.setAttribute('aria-label', t('admin.sites.topicUp', { number: index + 1 }));
    up.disabled = index === 0;
    const down = button('↓', 'topic-down');
    down.setAttribute('aria-label', t('admin.sites.topicDown', { number: index + 1 }));
    down.disabled = index === topics.length - 1;
    const remove = button(t('admin.remove'), 'topic-remove');
    remove.setAttribute('aria-label', t('admin.sites.topicRemove', { number: index + 1 }));
    const move = (to: number, testId: string) => {
      const [moved] = topics.splice(index, 1);
      if (!moved) return;
      topics.splice(to, 0, moved);
      // Keep the focus on the same arrow of the moved topic (or the other arrow at the end of the list).
      const stillEnabled = testId === 'topic-up' ? to > 0 : to < topics.length - 1;
      renderTopics({ index: to, testId: stillEnabled ? testId : testId === 'topic-up' ? 'topic-down' : 'topic-up' });
    };
    up.addEventListener('click', () => move(index - 1, 'topic-up'));
    down.addEventListener('click', () => move(index + 1, 'topic-down'));
    remove.addEventListener('click', () => {
      topics.splice(index, 1);
      if (topics.length === 0) {
        renderTopics();
        addTopic.focus();
      } else {
        renderTopics({ index: Math.min(index, topics.length - 1), testId: 'topic-remove' });
      }
    });
    const row = el(
      'li',
      { className: 'topic-row', testId: 'topic-row' },
      cell(t('admin.sites.topicKey'), topicKey, 'key'),
      cell(t('admin.sites.topicLabelEn'), labelEn, 'labelEn'),
      cell(t('admin.sites.topicLabelFr'), labelFr, 'labelFr'),
      cell(t('admin.sites.topicSkill'), skill, 'skill'),
      cell(t('admin.sites.topicPriority'), priority, 'priority'),
      el('div', { className: 'topic-actions' }, up, down, remove),
    );
    row.append(errors.slot(prefix));
    return row;
  }

  addTopic.addEventListener('click', () => {
    topics.push({ key: '', labelEn: '', labelFr: '', skill: activeSkills()[0]?.key ?? '', priority: 0 });
    renderTopics({ index: topics.length - 1, testId: '' });
    topicList.lastElementChild?.querySelector<HTMLInputElement>('input[name="topicKey"]')?.focus();
  });

  // ---- checks before sending (the server checks everything again)
  const validate = (settings: SiteSettings): boolean => {
    errors.clear();
    if (!site && !KEY_PATTERN.test(key.value.trim())) errors.set('key', t('admin.keyInvalid'));
    if (settings.name === '' || settings.name.length > 100) errors.set('name', t('admin.sites.nameInvalid'));
    const badOrigin = settings.allowedOrigins.find((origin) => !ORIGIN.test(origin));
    if (badOrigin) errors.set('allowedOrigins', t('admin.sites.originInvalid', { origin: badOrigin }));
    else if (settings.allowedOrigins.length > MAX_ORIGINS) errors.set('allowedOrigins', t('admin.sites.tooManyOrigins', { max: MAX_ORIGINS }));
    if (settings.timeZone === '') errors.set('timeZone', t('admin.sites.timeZoneRequired'));
    if (settings.languages.length === 0) errors.set('languages', t('admin.sites.languagesRequired'));
    if (site && settings.retentionDays !== null && (!Number.isInteger(settings.retentionDays) || settings.retentionDays < 1 || settings.retentionDays > 3650))
      errors.set('retentionDays', t('admin.sites.retentionInvalid'));
    const seen = new Set<string>();
    settings.topics.forEach((topic, index) => {
      const prefix = `topics[${index}]`;
      if (topic.key === '') errors.set(`${prefix}.key`, t('admin.sites.topicKeyRequired'));
      else if (seen.has(topic.key)) errors.set(`${prefix}.key`, t('admin.sites.topicKeyDuplicate'));
      seen.add(topic.key);
      if (topic.labelEn === '') errors.set(`${prefix}.labelEn`, t('admin.sites.labelRequired'));
      if (topic.labelFr === '') errors.set(`${prefix}.labelFr`, t('admin.sites.labelRequired'));
      if (topic.skill === '') errors.set(`${prefix}.skill`, t('admin.sites.skillRequired'));
      if (!Number.isInteger(topic.priority) || topic.priority < 0 || topic.priority > 100) errors.set(`${prefix}.priority`, t('admin.sites.priorityInvalid'));
    });
    return !errors.hasErrors();
  };

  const showError = (text: string) => {
    status.setAttribute('role', 'alert');
    showStatus(status, text, 'error');
  };
  const showSaved = (text: string) => {
    status.setAttribute('role', 'status');
    showStatus(status, text);
  };

  const showProblem = (problem: Problem | null) => {
    const unplaced = problem ? errors.show(problem) : [];
    showError(errors.hasErrors() && unplaced.length === 0 ? t('admin.fixFields') : [problemText(problem), ...unplaced].join(' '));
    errors.focusFirst();
  };

  // ---- filling the form
  const fill = (dto: SiteDto | null) => {
    site = dto;
    errors.clear();
    heading.textContent = dto ? t('admin.sites.editTitle', { name: dto.name }) : t('admin.sites.newTitle');
    keyField.hidden = dto !== null;
    key.value = '';
    name.value = dto?.name ?? '';
    origins.value = (dto?.allowedOrigins ?? []).join('\n');
    timeZone.value = dto?.timeZone ?? defaultTimeZone();
    for (const box of languageBoxes) box.checked = dto ? dto.languages.includes(box.value as UiLanguage) : true;
    // Disabling, "miss when only away" and retention are not part of creating a site (POST): set them once it exists.
    existingOnly.hidden = dto === null;
    disabled.checked = dto?.disabled ?? false;
    missWhenOnlyAway.checked = dto?.missWhenOnlyAway ?? false;
    retentionDays.value = dto?.retentionDays === null || dto?.retentionDays === undefined ? '' : String(dto.retentionDays);
    topics = (dto?.topics ?? []).map((topic) => ({ ...topic }));
    snippet.hidden = dto === null;
    snippetCode.textContent = dto?.snippet ?? '';
    showText(snippetStatus, null);
    renderTopics();
  };

  const reload = async (siteKey: string) => {
    const id = ++seq;
    const [siteResult, skillResult] = await Promise.all([adminApi.site(siteKey), adminApi.skills()]);
    if (id !== seq) return false;
    if (skillResult.ok) skills = skillResult.value;
    if (!siteResult.ok) {
      showText(loadError, siteResult.problem?.status === 404 ? t('admin.sites.unknown', { key: siteKey }) : problemText(siteResult.problem));
      form.hidden = true;
      snippet.hidden = true;
      routing.element.hidden = true;
      heading.textContent = t('admin.sites.heading');
      return false;
    }
    showText(loadError, null);
    form.hidden = false;
    fill(siteResult.value);
    void routing.load(siteKey, skills);
    return true;
  };

  // ---- saving
  const submit = async (settings: SiteSettings) => {
    if (!site) {
      const newKey = key.value.trim();
      const result = await adminApi.createSite(newKey, settings);
      if (result.ok) {
        options.onCreated(result.value.key);
        return;
      }
      if (result.problem?.status === 409 && Object.keys(result.problem.fields).length === 0) {
        errors.set('key', result.problem.detail ?? result.problem.title ?? t('admin.keyTaken'));
        showError(t('admin.fixFields'));
        key.focus();
        return;
      }
      showProblem(result.problem);
      return;
    }
    const current = site;
    const result = await adminApi.updateSite(current.key, settings, current.version);
    if (result.ok) {
      fill(result.value);
      showSaved(t('admin.saved'));
      // The topics may have changed: the routing settings carry their priorities.
      void routing.load(current.key, skills);
      return;
    }
    if (result.problem?.status === 409 && Object.keys(result.problem.fields).length === 0) {
      await reload(current.key);
      showError(t('admin.stale'));
      name.focus();
      return;
    }
    showProblem(result.problem);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (save.disabled) return;
    showStatus(status, null);
    const settings = read();
    if (!validate(settings)) {
      showError(t('admin.fixFields'));
      errors.focusFirst();
      return;
    }
    if (site && settings.disabled && !site.disabled) {
      const siteName = site.name;
      context.confirm.ask({
        title: t('admin.sites.disableTitle', { name: siteName }),
        text: t('admin.sites.disableText'),
        confirmText: 'admin.sites.disableConfirm',
        opener: save,
        action: async () => {
          await busy(save, t('admin.saving'), () => submit(settings));
          return null;
        },
      });
      return;
    }
    void busy(save, t('admin.saving'), () => submit(settings));
  });

  return {
    element,
    async open(siteKey, notice) {
      showStatus(status, null);
      if (siteKey === null) {
        ++seq;
        showText(loadError, null);
        form.hidden = false;
        routing.element.hidden = true;
        const result = await adminApi.skills();
        if (result.ok) skills = result.value;
        fill(null);
        key.focus();
        return;
      }
      if ((await reload(siteKey)) && notice) showSaved(notice);
    },
  };
}
