import { t } from '../i18n';
import { el } from '../shared/dom';
import { labelled, showStatus } from '../shared/form';
import { adminApi, type PageRule, type SiteRouting, type SkillDto } from './api';
import { busy, button, problemText } from './common';

const MB = 1024 * 1024;

export interface SiteRoutingForm {
  element: HTMLElement;
  /** Loads the routing settings of a site (again after the site was saved: its topics may have changed). */
  load(siteKey: string, skills: SkillDto[]): Promise<void>;
}

const checkbox = (name: string) => el('input', { attrs: { type: 'checkbox', name } });
const numberInput = (name: string, min: number, max: number, step = '1') =>
  el('input', { attrs: { type: 'number', name, min: String(min), max: String(max), step } });
const checkboxField = (label: string, input: HTMLInputElement) => el('label', { className: 'field-inline' }, input, el('span', { text: label }));
/** The size limit as shown in the MB field ('' when the server has none). */
const megabytes = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '' : String(Math.round((bytes / MB) * 100) / 100));
const optionalNumber = (input: HTMLInputElement) => (input.value.trim() === '' ? null : Number(input.value));

/**
 * The site's routing settings (GET/PUT /api/admin/sites/{key}/routing): offer mode, ring timeout, language
 * routing, typing preview, wrap-up timeout, KPI thresholds, file rules, co-browse recording, business hours
 * (the server's JSON, edited as text) and page rules (URL pattern -> skill).
 */
export function createSiteRoutingForm(): SiteRoutingForm {
  let siteKey = '';
  let loaded: SiteRouting | null = null;
  let skillOptions: SkillDto[] = [];
  let rules: PageRule[] = [];

  const offerMode = checkbox('offerMode');
  const ringTimeout = numberInput('ringTimeoutSeconds', 5, 600);
  const routeByLanguage = checkbox('routeByLanguage');
  const typingPreview = checkbox('typingPreview');
  const wrapUpTimeout = numberInput('wrapUpTimeoutSeconds', 10, 86_400);
  const serviceLevel = numberInput('serviceLevelSeconds', 1, 3600);
  const shortAbandon = numberInput('shortAbandonSeconds', 0, 600);
  const fcrWindow = numberInput('fcrRepeatWindowHours', 1, 24 * 90);
  const maxFileMb = numberInput('maxFileMegabytes', 0, 1024, 'any');
  const fileTypes = el('input', { attrs: { type: 'text', name: 'allowedFileTypes', placeholder: 'pdf, png, jpg' } });
  const keepRecording = checkbox('cobrowseKeepRecording');
  const businessHours = el('textarea', { attrs: { name: 'businessHours', rows: '6', spellcheck: 'false' } });
  const hoursError = el('p', { className: 'field-error', testId: 'field-error-businessHours', attrs: { id: 'business-hours-error' } });
  hoursError.hidden = true;
  businessHours.setAttribute('aria-describedby', hoursError.id);
  const ruleList = el('ul', { className: 'page-rules', testId: 'page-rules' });
  const addRule = button(t('admin.routing.addRule'), 'page-rule-add');
  const save = button(t('admin.routing.save'), 'site-routing-save', false, 'submit');
  const status = el('p', { className: 'save-status', testId: 'site-routing-status', attrs: { role: 'status' } });
  status.hidden = true;

  const form = el(
    'form',
    { className: 'admin-form site-routing-form', testId: 'site-routing-form', attrs: { novalidate: '' } },
    el('h3', { text: t('admin.routing.heading') }),
    el(
      'div',
      { className: 'admin-grid' },
      checkboxField(t('admin.routing.offerMode'), offerMode),
      labelled(t('admin.routing.ringTimeout'), ringTimeout),
      checkboxField(t('admin.routing.routeByLanguage'), routeByLanguage),
      checkboxField(t('admin.routing.typingPreview'), typingPreview),
      labelled(t('admin.routing.wrapUpTimeout'), wrapUpTimeout),
      labelled(t('admin.routing.serviceLevel'), serviceLevel),
      labelled(t('admin.routing.shortAbandon'), shortAbandon, undefined, t('admin.routing.shortAbandonHint')),
      labelled(t('admin.routing.fcrWindow'), fcrWindow),
      labelled(t('admin.routing.maxFile'), maxFileMb),
      labelled(t('admin.routing.fileTypes'), fileTypes, undefined, t('admin.routing.fileTypesHint')),
      checkboxField(t('admin.routing.keepRecording'), keepRecording),
    ),
    labelled(t('admin.routing.businessHours'), businessHours, hoursError, t('admin.routing.businessHoursHint')),
    el('h4', { text: t('admin.routing.pageRules') }),
    el('p', { className: 'muted', text: t('admin.routing.pageRulesHint') }),
    ruleList,
    el('div', { className: 'form-actions' }, addRule, save),
    status,
  );
  form.hidden = true;

  const renderRules = () => {
    ruleList.replaceChildren(
      ...rules.map((rule, index) => {
        const pattern = el('input', {
          attrs: { type: 'text', name: 'urlPattern', maxlength: '512', 'aria-label': t('admin.routing.urlPattern'), placeholder: '/billing/*' },
        });
        pattern.value = rule.urlPattern;
        pattern.addEventListener('input', () => {
          rule.urlPattern = pattern.value;
        });
        const skill = el(
          'select',
          { attrs: { name: 'ruleSkill', 'aria-label': t('admin.routing.ruleSkill') } },
          ...skillOptions
            .filter((option) => !option.retired || option.key === rule.skill)
            .map((option) => el('option', { text: option.name, attrs: { value: option.key } })),
        );
        skill.value = rule.skill;
        skill.addEventListener('change', () => {
          rule.skill = skill.value;
        });
        const remove = button(t('admin.remove'), 'page-rule-remove');
        remove.setAttribute('aria-label', t('admin.routing.removeRule', { number: index + 1 }));
        remove.addEventListener('click', () => {
          rules.splice(index, 1);
          renderRules();
          addRule.focus();
        });
        return el('li', { className: 'page-rule', testId: 'page-rule' }, pattern, el('span', { text: '→', attrs: { 'aria-hidden': 'true' } }), skill, remove);
      }),
    );
  };
  addRule.addEventListener('click', () => {
    const first = skillOptions.find((option) => !option.retired);
    rules.push({ urlPattern: '', skill: first?.key ?? '' });
    renderRules();
    ruleList.querySelector<HTMLInputElement>('li:last-child input')?.focus();
  });

  const fill = (routing: SiteRouting) => {
    offerMode.checked = routing.offerMode;
    ringTimeout.value = String(routing.ringTimeoutSeconds);
    routeByLanguage.checked = routing.routeByLanguage;
    typingPreview.checked = routing.typingPreview ?? false;
    const setNumber = (input: HTMLInputElement, value: number | null) => {
      input.value = value === null || value === undefined ? '' : String(value);
    };
    setNumber(wrapUpTimeout, routing.wrapUpTimeoutSeconds);
    setNumber(serviceLevel, routing.serviceLevelSeconds);
    setNumber(shortAbandon, routing.shortAbandonSeconds);
    setNumber(fcrWindow, routing.fcrRepeatWindowHours);
    maxFileMb.value = megabytes(routing.maxFileBytes);
    fileTypes.value = (routing.allowedFileTypes ?? []).join(', ');
    keepRecording.checked = routing.cobrowseKeepRecording ?? false;
    businessHours.value = routing.businessHours ? JSON.stringify(routing.businessHours, null, 2) : '';
    rules = (routing.pageRules ?? []).map((rule) => ({ ...rule }));
    renderRules();
  };

  /** The PUT body; a string is a client-side error (e.g. business hours that are not JSON). */
  const read = (current: SiteRouting): SiteRouting | string => {
    let hours: unknown = null;
    if (businessHours.value.trim() !== '') {
      try {
        hours = JSON.parse(businessHours.value);
      } catch {
        return t('admin.routing.hoursInvalid');
      }
    }
    // An unchanged size keeps the exact byte count (the MB field is rounded).
    const maxFileBytes = maxFileMb.value === megabytes(current.maxFileBytes) ? current.maxFileBytes : maxFileMb.value.trim() === '' ? null : Math.round(Number(maxFileMb.value) * MB);
    const types = fileTypes.value
      .split(/[\s,;]+/)
      .map((type) => type.trim().replace(/^\./, '').toLowerCase())
      .filter((type) => type !== '');
    return {
      offerMode: offerMode.checked,
      ringTimeoutSeconds: Number(ringTimeout.value),
      routeByLanguage: routeByLanguage.checked,
      businessHours: hours,
      pageRules: rules.map((rule) => ({ urlPattern: rule.urlPattern.trim(), skill: rule.skill })),
      topicPriorities: current.topicPriorities,
      typingPreview: typingPreview.checked,
      wrapUpTimeoutSeconds: optionalNumber(wrapUpTimeout),
      fcrRepeatWindowHours: optionalNumber(fcrWindow),
      serviceLevelSeconds: optionalNumber(serviceLevel),
      shortAbandonSeconds: optionalNumber(shortAbandon),
      maxFileBytes,
      allowedFileTypes: types,
      cobrowseKeepRecording: keepRecording.checked,
    };
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!loaded || save.disabled) return;
    hoursError.hidden = true;
    businessHours.removeAttribute('aria-invalid');
    const body = read(loaded);
    if (typeof body === 'string') {
      hoursError.textContent = body;
      hoursError.hidden = false;
      businessHours.setAttribute('aria-invalid', 'true');
      businessHours.focus();
      showStatus(status, t('admin.notSaved'), 'error');
      status.setAttribute('role', 'alert');
      return;
    }
    void busy(save, t('admin.saving'), async () => {
      const result = await adminApi.saveSiteRouting(siteKey, body);
      status.setAttribute('role', result.ok ? 'status' : 'alert');
      if (!result.ok) {
        showStatus(status, problemText(result.problem), 'error');
        return;
      }
      loaded = body;
      showStatus(status, t('admin.saved'));
    });
  });

  return {
    element: form,
    async load(key, skills) {
      siteKey = key;
      skillOptions = skills;
      showStatus(status, null);
      const result = await adminApi.siteRouting(key);
      form.hidden = false;
      if (!result.ok) {
        loaded = null;
        status.setAttribute('role', 'alert');
        showStatus(status, problemText(result.problem), 'error');
        save.disabled = true;
        return;
      }
      save.disabled = false;
      loaded = result.value;
      fill(result.value);
    },
  };
}
