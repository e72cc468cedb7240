import { t, type MessageKey } from '../i18n';
import { el } from '../shared/dom';
import { adminApi, ONBOARDING_STEPS, type OnboardingStepKey } from './api';
import { alertLine, problemText, showText, type AdminPage } from './common';

/** Each step: what to do, and the page where it is done. */
const STEPS: Record<OnboardingStepKey, { label: MessageKey; hint: MessageKey; href: string; link: MessageKey }> = {
  site: { label: 'admin.start.site', hint: 'admin.start.siteHint', href: '#admin/sites/new', link: 'admin.start.siteLink' },
  topic: { label: 'admin.start.topic', hint: 'admin.start.topicHint', href: '#admin/skills', link: 'admin.start.topicLink' },
  operator: { label: 'admin.start.operator', hint: 'admin.start.operatorHint', href: '#admin/people', link: 'admin.start.operatorLink' },
  snippet: { label: 'admin.start.snippet', hint: 'admin.start.snippetHint', href: '#admin/sites', link: 'admin.start.snippetLink' },
  testChat: { label: 'admin.start.testChat', hint: 'admin.start.testChatHint', href: '#admin/sites', link: 'admin.start.testChatLink' },
};

/** The onboarding checklist (GET /api/admin/onboarding), read again each time the page is shown. */
export function createOnboardingPage(): AdminPage {
  const heading = el('h2', { text: t('admin.start.heading'), attrs: { tabindex: '-1' } });
  const status = el('p', { className: 'admin-loading', text: t('admin.loading'), attrs: { role: 'status' } });
  const error = alertLine('onboarding-error');
  const demo = el('p', { className: 'admin-note', testId: 'onboarding-demo', text: t('admin.start.demo') });
  demo.hidden = true;
  const allDone = el('p', { className: 'admin-done', testId: 'onboarding-done', text: t('admin.start.allDone') });
  allDone.hidden = true;
  const list = el('ol', { className: 'onboarding-steps', testId: 'onboarding-steps' });
  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-start' },
    heading,
    el('p', { className: 'muted', text: t('admin.start.intro') }),
    status,
    error,
    demo,
    allDone,
    list,
  );
  let seq = 0;

  const render = (steps: { key: OnboardingStepKey; done: boolean }[]) => {
    const done = new Map(steps.map((step) => [step.key, step.done]));
    list.replaceChildren(
      ...ONBOARDING_STEPS.filter((key) => done.has(key)).map((key) => {
        const step = STEPS[key];
        const isDone = done.get(key) === true;
        return el(
          'li',
          { className: isDone ? 'onboarding-step done' : 'onboarding-step', testId: `onboarding-step-${key}`, attrs: { 'data-done': String(isDone) } },
          el('span', { className: 'onboarding-mark', text: isDone ? '✓' : '○', attrs: { 'aria-hidden': 'true' } }),
          el(
            'span',
            { className: 'onboarding-text' },
            el('strong', { text: t(step.label) }),
            el('span', { className: 'visually-hidden', text: isDone ? t('admin.start.stepDone') : t('admin.start.stepTodo') }),
            el('span', { className: 'muted', text: t(step.hint) }),
          ),
          el('a', { text: t(step.link), attrs: { href: step.href } }),
        );
      }),
    );
    allDone.hidden = steps.length === 0 || !steps.every((step) => step.done);
  };

  const load = async () => {
    const id = ++seq;
    showText(status, t('admin.loading'));
    const result = await adminApi.onboarding();
    if (id !== seq) return;
    showText(status, null);
    if (!result.ok) {
      showText(error, problemText(result.problem));
      return;
    }
    showText(error, null);
    demo.hidden = !result.value.demo;
    // Demo data already has everything set up: the checklist would only tick boxes nobody did.
    list.hidden = result.value.demo;
    if (result.value.demo) {
      allDone.hidden = true;
      list.replaceChildren();
    } else {
      render(result.value.steps);
    }
  };

  return {
    element,
    show: () => void load(),
  };
}
