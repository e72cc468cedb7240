// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, settle, stubFetch, type FakeFetch } from '../shared/testing/fakeFetch';
import { createOnboardingPage } from './onboarding';

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  fetch = stubFetch();
});
afterEach(() => vi.unstubAllGlobals());

const steps = (done: string[]) => ['site', 'topic', 'operator', 'snippet', 'testChat'].map((key) => ({ key, done: done.includes(key) }));

describe('onboarding checklist (DOM)', () => {
  it('ticks the steps done, links each to its page, and reads them again each time it is shown', async () => {
    let done = ['site'];
    fetch.routes['GET /api/admin/onboarding'] = () => json(200, { demo: false, steps: steps(done) });
    const page = createOnboardingPage();
    document.body.append(page.element);
    page.show('start');
    await settle();
    const items = $$('[data-testid^="onboarding-step-"]');
    expect(items.map((item) => [item.dataset.testid, item.dataset.done])).toEqual([
      ['onboarding-step-site', 'true'],
      ['onboarding-step-topic', 'false'],
      ['onboarding-step-operator', 'false'],
      ['onboarding-step-snippet', 'false'],
      ['onboarding-step-testChat', 'false'],
    ]);
    expect($('[data-testid="onboarding-step-operator"] a')?.getAttribute('href')).toBe('#admin/people');
    expect($('[data-testid="onboarding-step-site"] a')?.getAttribute('href')).toBe('#admin/sites/new');
    expect($('[data-testid="onboarding-done"]')?.hidden).toBe(true);

    done = ['site', 'topic', 'operator', 'snippet', 'testChat'];
    page.show('start');
    await settle();
    expect(fetch.sent('GET', '/api/admin/onboarding')).toHaveLength(2);
    expect($$('[data-done="true"]')).toHaveLength(5);
    expect($('[data-testid="onboarding-done"]')?.hidden).toBe(false);
  });

  it('shows no checklist on a demo server', async () => {
    fetch.routes['GET /api/admin/onboarding'] = () => json(200, { demo: true, steps: steps([]) });
    const page = createOnboardingPage();
    document.body.append(page.element);
    page.show('start');
    await settle();
    expect($('[data-testid="onboarding-demo"]')?.hidden).toBe(false);
    expect($$('[data-testid^="onboarding-step-"]')).toHaveLength(0);
  });

  it('reports an error in an alert', async () => {
    fetch.routes['GET /api/admin/onboarding'] = () => json(403, { title: 'Forbidden', status: 403 });
    const page = createOnboardingPage();
    document.body.append(page.element);
    page.show('start');
    await settle();
    const error = $('[data-testid="onboarding-error"]');
    expect(error?.getAttribute('role')).toBe('alert');
    expect(error?.textContent).toBe('You are not allowed to do this.');
  });
});
