// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, noContent, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import type { SiteDto, SiteRouting } from './api';
import { createConfirm } from './common';
import { createSitesPage } from './sites';

const site = (overrides: Partial<SiteDto> = {}): SiteDto => ({
  key: 'shop',
  name: 'Shop',
  allowedOrigins: ['https://shop.example.com'],
  timeZone: 'Europe/Paris',
  languages: ['en', 'fr'],
  disabled: false,
  missWhenOnlyAway: false,
  retentionDays: null,
  topics: [
    { key: 'orders', labelEn: 'Orders', labelFr: 'Commandes', skill: 'billing', priority: 0 },
    { key: 'tech', labelEn: 'Tech help', labelFr: 'Aide technique', skill: 'tech', priority: 10 },
  ],
  version: 'v1',
  snippet: '<script src="https://chat.example.com/widget.js" data-site="shop"></script>',
  ...overrides,
});
const routing: SiteRouting = {
  offerMode: false,
  ringTimeoutSeconds: 30,
  routeByLanguage: true,
  businessHours: null,
  pageRules: [{ urlPattern: '/billing/*', skill: 'billing' }],
  topicPriorities: { orders: 0, tech: 10 },
  typingPreview: true,
  wrapUpTimeoutSeconds: 120,
  fcrRepeatWindowHours: 72,
  serviceLevelSeconds: 30,
  shortAbandonSeconds: 10,
  maxFileBytes: 10485760,
  allowedFileTypes: ['pdf', 'png'],
  cobrowseKeepRecording: false,
};

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  location.hash = '';
  fetch = stubFetch();
  fetch.routes['GET /api/admin/skills'] = () =>
    json(200, [
      { id: 's1', key: 'billing', name: 'Billing', retired: false },
      { id: 's2', key: 'tech', name: 'Tech', retired: false },
      { id: 's3', key: 'old', name: 'Old', retired: true },
    ]);
  fetch.routes['GET /api/admin/sites/shop'] = () => json(200, site());
  fetch.routes['GET /api/admin/sites/shop/routing'] = () => json(200, routing);
});
afterEach(() => vi.unstubAllGlobals());

async function mount(route: string) {
  const confirm = createConfirm();
  const page = createSitesPage({ confirm });
  document.body.append(page.element, confirm.element);
  page.show(route);
  await settle();
  return page;
}

const form = () => $<HTMLFormElement>('[data-testid="site-form"]') as HTMLFormElement;
const field = <T extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement = HTMLInputElement>(name: string) =>
  $<T>(`[data-testid="site-form"] [name="${name}"]`) as T;
const topicRows = () => $$('[data-testid="topic-row"]');
const preview = () => $('[data-testid="site-preview"]') as HTMLElement;

describe('sites (DOM)', () => {
  it('says to create the first site when there is none', async () => {
    fetch.routes['GET /api/admin/sites'] = () => json(200, []);
    await mount('sites');
    const empty = $('[data-testid="sites-empty"]');
    expect(empty?.hidden).toBe(false);
    expect(empty?.textContent).toContain('Create your first site');
    expect(empty?.querySelector('a')?.getAttribute('href')).toBe('#admin/sites/new');
    expect($('[data-testid="site-form"]')?.closest('[hidden]')).not.toBeNull();
  });

  it('lists sites with a link to each editor', async () => {
    fetch.routes['GET /api/admin/sites'] = () =>
      json(200, [{ key: 'shop', name: 'Shop', allowedOrigins: ['https://shop.example.com'], disabled: true, topicCount: 2 }]);
    await mount('sites');
    const row = $('[data-testid="site-row"][data-key="shop"]');
    expect(row?.querySelector('a')?.getAttribute('href')).toBe('#admin/sites/shop');
    expect(row?.querySelector('[data-testid="site-disabled"]')).not.toBeNull();
  });

  it('fills the editor, shows the snippet and a preview that follows the form', async () => {
    await mount('sites/shop');
    expect(field('name').value).toBe('Shop');
    expect(field<HTMLTextAreaElement>('allowedOrigins').value).toBe('https://shop.example.com');
    expect(field('key').closest('[hidden]')).not.toBeNull(); // the key is set once, at creation
    expect($('[data-testid="site-snippet"]')?.textContent).toBe(site().snippet);
    expect(topicRows().map((row) => row.querySelector<HTMLInputElement>('[name="topicKey"]')?.value)).toEqual(['orders', 'tech']);
    expect(topicRows()[0]?.querySelector<HTMLSelectElement>('[name="topicSkill"]')?.textContent).not.toContain('Old'); // retired

    expect(preview().querySelector('[data-testid="preview-site-name"]')?.textContent).toBe('Shop');
    expect($$('[data-testid="preview-topics"] li', preview()).map((li) => li.textContent)).toEqual(['Orders', 'Tech help']);
    setValue(field('name'), 'My <Shop>');
    setValue(topicRows()[0]?.querySelector('[name="topicLabelEn"]') as HTMLInputElement, 'Your orders');
    expect(preview().querySelector('[data-testid="preview-site-name"]')?.textContent).toBe('My <Shop>');
    expect(preview().querySelector('li')?.textContent).toBe('Your orders');
    setValue($('[name="previewLanguage"]') as HTMLSelectElement, 'fr');
    expect(preview().querySelector('li')?.textContent).toBe('Commandes');
    expect(preview().textContent).toContain('Comment pouvons-nous vous aider ?');
    field('disabled').click();
    expect(preview().querySelector('[data-testid="preview-closed"]')).not.toBeNull();
    expect(preview().querySelector('[data-testid="preview-topics"]')).toBeNull();

    expect($<HTMLInputElement>('[data-testid="site-routing-form"] [name="ringTimeoutSeconds"]')?.value).toBe('30');
    expect($<HTMLInputElement>('[data-testid="site-routing-form"] [name="maxFileMegabytes"]')?.value).toBe('10');
  });

  it('shows server errors next to the fields, topics ones on their row', async () => {
    fetch.routes['PUT /api/admin/sites/shop'] = () =>
      validationProblem({
        allowedOrigins: ['https://a.example.com/path has a path.'],
        'topics[1].labelFr': ['Le libellé est trop long.'],
        timeZone: ['Unknown time zone.'],
      });
    await mount('sites/shop');
    form().requestSubmit();
    await settle();
    expect($('[data-testid="field-error-allowedOrigins"]')?.textContent).toBe('https://a.example.com/path has a path.');
    expect($('[data-testid="field-error-timeZone"]')?.textContent).toBe('Unknown time zone.');
    const error = topicRows()[1]?.querySelector('[data-testid="field-error-topics[1].labelFr"]');
    expect(error?.textContent).toBe('Le libellé est trop long.');
    expect(topicRows()[1]?.querySelector('[name="topicLabelFr"]')?.getAttribute('aria-invalid')).toBe('true');
    expect($('[data-testid="site-status"]')?.textContent).toBe('Some fields need a correction (see the messages next to them).');
    expect($('[data-testid="site-status"]')?.getAttribute('role')).toBe('alert');
    expect(document.activeElement).toBe(field('allowedOrigins'));
  });

  it('checks obvious mistakes before sending', async () => {
    await mount('sites/shop');
    setValue(field<HTMLTextAreaElement>('allowedOrigins'), 'https://shop.example.com\nshop.example.com/path');
    setValue(field('retentionDays'), '5000');
    setValue(topicRows()[1]?.querySelector('[name="topicKey"]') as HTMLInputElement, 'orders');
    setValue(topicRows()[0]?.querySelector('[name="topicPriority"]') as HTMLInputElement, '101');
    form().requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/sites/shop')).toHaveLength(0);
    expect($('[data-testid="field-error-allowedOrigins"]')?.textContent).toContain('shop.example.com/path');
    expect($('[data-testid="field-error-retentionDays"]')?.hidden).toBe(false);
    expect($('[data-testid="field-error-topics[1].key"]')?.textContent).toBe('Another topic of this site has this key.');
    expect($('[data-testid="field-error-topics[0].priority"]')?.hidden).toBe(false);
  });

  it('saves with the version and the topics in their new order; a 409 reloads with a message', async () => {
    let saved: unknown;
    fetch.routes['PUT /api/admin/sites/shop'] = ({ body }) => {
      saved = body;
      return json(200, site({ version: 'v2', topics: (body as SiteDto).topics }));
    };
    await mount('sites/shop');
    topicRows()[0]?.querySelector<HTMLButtonElement>('[data-testid="topic-down"]')?.click();
    expect(document.activeElement).toBe(topicRows()[1]?.querySelector('[data-testid="topic-up"]'));
    $('[data-testid="topic-add"]')?.click();
    const added = topicRows()[2] as HTMLElement;
    expect(document.activeElement).toBe(added.querySelector('[name="topicKey"]'));
    setValue(added.querySelector('[name="topicKey"]') as HTMLInputElement, 'sales');
    setValue(added.querySelector('[name="topicLabelEn"]') as HTMLInputElement, 'Sales');
    setValue(added.querySelector('[name="topicLabelFr"]') as HTMLInputElement, 'Ventes');
    setValue(added.querySelector('[name="topicSkill"]') as HTMLSelectElement, 'tech');
    setValue(added.querySelector('[name="topicPriority"]') as HTMLInputElement, '50');
    setValue(field('retentionDays'), '365');
    form().requestSubmit();
    await settle();
    expect(saved).toEqual({
      name: 'Shop',
      allowedOrigins: ['https://shop.example.com'],
      timeZone: 'Europe/Paris',
      languages: ['en', 'fr'],
      disabled: false,
      missWhenOnlyAway: false,
      retentionDays: 365,
      topics: [
        { key: 'tech', labelEn: 'Tech help', labelFr: 'Aide technique', skill: 'tech', priority: 10 },
        { key: 'orders', labelEn: 'Orders', labelFr: 'Commandes', skill: 'billing', priority: 0 },
        { key: 'sales', labelEn: 'Sales', labelFr: 'Ventes', skill: 'tech', priority: 50 },
      ],
      version: 'v1',
    });
    expect($('[data-testid="site-status"]')?.textContent).toBe('Saved.');
    expect(fetch.sent('GET', '/api/admin/sites/shop/routing')).toHaveLength(2); // the priorities came with the topics

    fetch.routes['PUT /api/admin/sites/shop'] = () => json(409, { title: 'Stale version', status: 409 });
    fetch.routes['GET /api/admin/sites/shop'] = () => json(200, site({ name: 'Shop (renamed)', version: 'v3' }));
    setValue(field('name'), 'Mine');
    form().requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/sites/shop')[1]?.body).toMatchObject({ version: 'v2' });
    expect($('[data-testid="site-status"]')?.textContent).toBe(
      'Someone else changed this in the meantime. The latest version is now shown: check it and save again.',
    );
    expect(field('name').value).toBe('Shop (renamed)');
  });

  it('asks before disabling a site', async () => {
    fetch.routes['PUT /api/admin/sites/shop'] = ({ body }) => json(200, site({ ...(body as SiteDto), version: 'v2' }));
    await mount('sites/shop');
    field('disabled').click();
    form().requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/sites/shop')).toHaveLength(0);
    expect($('[data-testid="confirm"]')?.closest('[hidden]')).toBeNull();
    $('[data-testid="confirm-cancel"]')?.click();
    expect(fetch.sent('PUT', '/api/admin/sites/shop')).toHaveLength(0);
    form().requestSubmit();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/sites/shop')[0]?.body).toMatchObject({ disabled: true });
    expect($('[data-testid="site-status"]')?.textContent).toBe('Saved.');
  });

  it('creates a site with POST and opens its page; a taken key shows next to the key', async () => {
    fetch.routes['POST /api/admin/sites'] = () => json(409, { title: 'Site already exists', detail: "The key 'shop' is taken.", status: 409 });
    await mount('sites/new');
    expect(document.activeElement).toBe(field('key'));
    expect(field('disabled').closest('[hidden]')).not.toBeNull();
    expect($('[data-testid="site-snippet"]')?.closest('[hidden]')).not.toBeNull();
    setValue(field('key'), 'shop');
    setValue(field('name'), 'Shop');
    setValue(field<HTMLTextAreaElement>('allowedOrigins'), ' https://shop.example.com \n\n https://*.example.org:8443 ');
    setValue(field('timeZone'), 'Europe/Paris');
    form().requestSubmit();
    await settle();
    expect(fetch.sent('POST', '/api/admin/sites')[0]?.body).toEqual({
      key: 'shop',
      name: 'Shop',
      allowedOrigins: ['https://shop.example.com', 'https://*.example.org:8443'],
      timeZone: 'Europe/Paris',
      languages: ['en', 'fr'],
      topics: [],
    });
    expect($('[data-testid="field-error-key"]')?.textContent).toBe("The key 'shop' is taken.");

    fetch.routes['POST /api/admin/sites'] = () => json(201, site());
    setValue(field('key'), 'shop2');
    form().requestSubmit();
    await settle();
    expect(location.hash).toBe('#admin/sites/shop');
  });

  it('copies the snippet, or selects it when the clipboard is not available', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    await mount('sites/shop');
    $('[data-testid="site-snippet-copy"]')?.click();
    await settle();
    expect(window.getSelection()?.toString()).toBe(site().snippet);
    expect($('[data-testid="site-snippet-status"]')?.textContent).toContain('Ctrl+C');
  });

  it('saves the routing settings with the page rules', async () => {
    fetch.routes['PUT /api/admin/sites/shop/routing'] = () => noContent();
    await mount('sites/shop');
    const routingForm = $<HTMLFormElement>('[data-testid="site-routing-form"]') as HTMLFormElement;
    setValue(routingForm.querySelector('[name="ringTimeoutSeconds"]'), '45');
    setValue(routingForm.querySelector('[name="businessHours"]'), '{ not json');
    routingForm.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/sites/shop/routing')).toHaveLength(0);
    expect($('[data-testid="field-error-businessHours"]')?.textContent).toBe('This is not valid JSON.');
    setValue(routingForm.querySelector('[name="businessHours"]'), '{"timeZone":"Europe/Paris","days":{"Monday":["09:00-18:00"]}}');
    $('[data-testid="page-rule-add"]')?.click();
    setValue(routingForm.querySelector('[data-testid="page-rule"]:last-child [name="urlPattern"]'), '/help/*');
    setValue(routingForm.querySelector('[data-testid="page-rule"]:last-child [name="ruleSkill"]'), 'tech');
    routingForm.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/sites/shop/routing')[0]?.body).toEqual({
      ...routing,
      ringTimeoutSeconds: 45,
      businessHours: { timeZone: 'Europe/Paris', days: { Monday: ['09:00-18:00'] } },
      pageRules: [
        { urlPattern: '/billing/*', skill: 'billing' },
        { urlPattern: '/help/*', skill: 'tech' },
      ],
    });
    expect($('[data-testid="site-routing-status"]')?.textContent).toBe('Saved.');
  });
});
