// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, noContent, setValue, settle, stubFetch, validationProblem, type FakeFetch } from '../shared/testing/fakeFetch';
import { createConfirm } from './common';
import { createWebhooksPage, type WebhookDelivery, type WebhookDto } from './webhooks';

const kinds = ['chat.requested', 'message.sent', 'remote.*'];
const hook: WebhookDto = {
  id: 'w1', site: 'demo', url: 'https://example.com/<hook>', events: ['chat.requested'], enabled: true, description: '',
  secretHint: 'whsec_…abcd', version: '1', createdAt: '2026-12-03T10:00:00Z',
};
const deliveries: WebhookDelivery[] = [
  { id: 'd1', event: 'chat.requested', status: 'failed', attempts: 8, responseCode: 500, latencyMs: 120, error: '<b>HTTP 500</b>', createdAt: '2026-12-03T10:00:00Z', completedAt: '2026-12-03T10:02:00Z', nextAttemptAt: null },
  { id: 'd2', event: 'chat.requested', status: 'delivered', attempts: 1, responseCode: 200, latencyMs: 35, error: null, createdAt: '2026-12-03T10:01:00Z', completedAt: '2026-12-03T10:01:00Z', nextAttemptAt: null },
];

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  fetch = stubFetch();
  fetch.routes['GET /api/admin/webhooks'] = () => json(200, [hook]);
  fetch.routes['GET /api/admin/webhooks/settings'] = () => json(200, { allowPrivateTargets: false, eventKinds: kinds });
  fetch.routes['GET /api/admin/sites'] = () => json(200, [{ key: 'demo', name: 'Demo', allowedOrigins: [], disabled: false, topicCount: 1 }]);
  fetch.routes['GET /api/admin/email'] = () =>
    json(200, { configured: true, from: 'chat@shop.example', sites: [{ key: 'demo', name: 'Demo', inboxEmail: null, version: '4' }] });
});
afterEach(() => vi.unstubAllGlobals());

async function mount() {
  const confirm = createConfirm();
  const page = createWebhooksPage({ confirm });
  document.body.append(page.element, confirm.element);
  page.show('webhooks');
  await settle();
}

describe('webhooks page (DOM)', () => {
  it('lists subscriptions as text with the secret hinted, never shown', async () => {
    await mount();
    const row = $('[data-testid="webhook-row"]');
    expect(row?.querySelector('[data-testid="webhook-row-url"]')?.textContent).toBe('https://example.com/<hook>');
    expect(row?.querySelector('[data-testid="webhook-row-url"]')?.children.length).toBe(0);
    expect(row?.querySelector('[data-testid="webhook-row-secret"]')?.textContent).toBe('whsec_…abcd');
    expect($('[data-testid="webhook-secret-box"]')?.hidden).toBe(true);
    expect($$('[data-testid^="webhook-event-"]').map((box) => (box as HTMLInputElement).value)).toEqual(kinds);
  });

  it('creates a webhook with the chosen events, then shows its secret once', async () => {
    fetch.routes['POST /api/admin/webhooks'] = () =>
      json(201, { webhook: { ...hook, id: 'w2', url: 'https://example.com/new', events: ['message.sent', 'remote.*'] }, secret: 'whsec_secretvalue' });
    await mount();
    setValue($('[data-testid="webhook-url"]') as HTMLInputElement, ' https://example.com/new ');
    ($('[data-testid="webhook-event-message.sent"]') as HTMLInputElement).checked = true;
    ($('[data-testid="webhook-event-remote.*"]') as HTMLInputElement).checked = true;
    $('[data-testid="webhook-submit"]')?.click();
    await settle();
    expect(fetch.sent('POST', '/api/admin/webhooks')[0]?.body).toEqual({
      site: 'demo', url: 'https://example.com/new', events: ['message.sent', 'remote.*'], enabled: true, description: '', version: null,
    });
    expect($('[data-testid="webhook-secret-box"]')?.hidden).toBe(false);
    expect(($('[data-testid="webhook-secret"]') as HTMLInputElement).value).toBe('whsec_secretvalue');
    expect($$('[data-testid="webhook-row"]').map((row) => row.dataset.id)).toEqual(['w1', 'w2']);
  });

  it('shows the server’s field errors next to their fields', async () => {
    fetch.routes['POST /api/admin/webhooks'] = () =>
      validationProblem({ url: ['The target localhost resolves to 127.0.0.1 (loopback).'], events: ['Choose at least one event.'] });
    await mount();
    setValue($('[data-testid="webhook-url"]') as HTMLInputElement, 'http://localhost/');
    $('[data-testid="webhook-submit"]')?.click();
    await settle();
    expect($('[data-testid="field-error-url"]')?.textContent).toContain('loopback');
    expect($('[data-testid="field-error-events"]')?.textContent).toBe('Choose at least one event.');
    expect($('[data-testid="webhook-secret-box"]')?.hidden).toBe(true);
  });

  it('edits with the version, and deletes after a confirmation', async () => {
    fetch.routes['PUT /api/admin/webhooks/w1'] = () => json(200, { ...hook, enabled: false, version: '2' });
    fetch.routes['DELETE /api/admin/webhooks/w1'] = () => noContent();
    await mount();
    $('[data-testid="webhook-edit"]')?.click();
    expect(($('[data-testid="webhook-url"]') as HTMLInputElement).value).toBe(hook.url);
    expect(($('[data-testid="webhook-event-chat.requested"]') as HTMLInputElement).checked).toBe(true);
    ($('[data-testid="webhook-enabled"]') as HTMLInputElement).checked = false;
    $('[data-testid="webhook-submit"]')?.click();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/webhooks/w1')[0]?.body).toMatchObject({ enabled: false, version: '1', events: ['chat.requested'] });
    expect($('[data-testid="webhook-disabled"]')).not.toBeNull();

    $('[data-testid="webhook-delete"]')?.click();
    expect(fetch.sent('DELETE', '/api/admin/webhooks/w1')).toHaveLength(0);
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('DELETE', '/api/admin/webhooks/w1')).toHaveLength(1);
    expect($$('[data-testid="webhook-row"]')).toHaveLength(0);
  });

  it('shows recent deliveries (errors as text) and replays a failed one', async () => {
    let replayed = false;
    fetch.routes['GET /api/admin/webhooks/w1/deliveries'] = () =>
      json(200, replayed ? [{ ...deliveries[0], status: 'pending', attempts: 0 }, deliveries[1]] : deliveries);
    fetch.routes['POST /api/admin/webhooks/deliveries/d1/replay'] = () => {
      replayed = true;
      return json(200, { ...deliveries[0], status: 'pending' });
    };
    await mount();
    $('[data-testid="webhook-show-deliveries"]')?.click();
    await settle();
    const rows = $$('[data-testid="delivery-row"]');
    expect(rows.map((row) => row.dataset.status)).toEqual(['failed', 'delivered']);
    expect(rows[0]?.querySelector('[data-testid="delivery-error"]')?.textContent).toBe('<b>HTTP 500</b>');
    expect(rows[0]?.querySelector('b')).toBeNull();
    expect(rows[0]?.textContent).toContain('120 ms');
    expect(rows[1]?.querySelector('[data-testid="delivery-replay"]')).toBeNull();
    rows[0]?.querySelector<HTMLButtonElement>('[data-testid="delivery-replay"]')?.click();
    await settle();
    expect(fetch.sent('POST', '/api/admin/webhooks/deliveries/d1/replay')).toHaveLength(1);
    expect($$('[data-testid="delivery-row"]').map((row) => row.dataset.status)).toEqual(['pending', 'delivered']);
  });

  it('says whether SMTP is set up and saves a site’s inbox address with its version', async () => {
    fetch.routes['PUT /api/admin/email/sites/demo'] = () => json(200, { key: 'demo', name: 'Demo', inboxEmail: 'support@shop.example', version: '5' });
    await mount();
    expect($('[data-testid="email-status"]')?.textContent).toContain('chat@shop.example');
    const row = $('[data-testid="inbox-row"][data-site="demo"]') as HTMLElement;
    setValue(row.querySelector('[data-testid="inbox-email"]'), 'support@shop.example');
    row.querySelector<HTMLButtonElement>('[data-testid="inbox-save"]')?.click();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/email/sites/demo')[0]?.body).toEqual({ inboxEmail: 'support@shop.example', version: '4' });
    expect(row.querySelector('[data-testid="inbox-status"]')?.textContent).toBe('Saved.');
  });

  it('says so when SMTP is not configured', async () => {
    fetch.routes['GET /api/admin/email'] = () => json(200, { configured: false, from: null, sites: [] });
    await mount();
    expect($('[data-testid="email-status"]')?.dataset.configured).toBe('false');
    expect($('[data-testid="email-status"]')?.textContent).toContain('not configured');
  });
});
