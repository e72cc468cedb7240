import { t } from '../i18n';
import { el } from '../shared/dom';
import { copyText, createFieldErrors, labelled, showStatus } from '../shared/form';
import { requestJson } from '../shared/http';
import type { SiteSummary } from './api';
import { alertLine, badge, busy, button, emptyState, problemText, showText, statusLine, type AdminContext, type AdminPage } from './common';

/** Shapes of /api/admin/webhooks (docs/webhooks.md). */
export interface WebhookDto {
  id: string;
  site: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  secretHint: string;
  version: string;
  createdAt: string;
}

export interface WebhookWithSecret {
  webhook: WebhookDto;
  secret: string;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseCode: number | null;
  latencyMs: number | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
  nextAttemptAt: string | null;
}

export interface WebhookInput {
  site: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  version: string | null;
}

export interface SiteInbox {
  key: string;
  name: string;
  inboxEmail: string | null;
  version: string;
}

export interface EmailSettings {
  configured: boolean;
  from: string | null;
  sites: SiteInbox[];
}

const path = encodeURIComponent;

export const webhookApi = {
  list: () => requestJson<WebhookDto[]>('GET', '/api/admin/webhooks'),
  settings: () => requestJson<{ allowPrivateTargets: boolean; eventKinds: string[] }>('GET', '/api/admin/webhooks/settings'),
  sites: () => requestJson<SiteSummary[]>('GET', '/api/admin/sites'),
  create: (input: WebhookInput) => requestJson<WebhookWithSecret>('POST', '/api/admin/webhooks', input),
  update: (id: string, input: WebhookInput) => requestJson<WebhookDto>('PUT', `/api/admin/webhooks/${path(id)}`, input),
  remove: (id: string) => requestJson<void>('DELETE', `/api/admin/webhooks/${path(id)}`),
  rotate: (id: string) => requestJson<WebhookWithSecret>('POST', `/api/admin/webhooks/${path(id)}/secret`),
  deliveries: (id: string) => requestJson<WebhookDelivery[]>('GET', `/api/admin/webhooks/${path(id)}/deliveries`),
  replay: (deliveryId: string) => requestJson<WebhookDelivery>('POST', `/api/admin/webhooks/deliveries/${path(deliveryId)}/replay`),
  email: () => requestJson<EmailSettings>('GET', '/api/admin/email'),
  setInbox: (site: string, inboxEmail: string, version: string) =>
    requestJson<SiteInbox>('PUT', `/api/admin/email/sites/${path(site)}`, { inboxEmail, version }),
};

const STATUS_KEY = {
  pending: 'admin.webhooks.status.pending',
  delivered: 'admin.webhooks.status.delivered',
  failed: 'admin.webhooks.status.failed',
} as const;

/**
 * Webhooks: each site's subscriptions (create, edit, delete after a confirmation, rotate the secret), the secret
 * shown once with a copy button, and a subscription's recent deliveries with a replay of a failed one.
 */
export function createWebhooksPage(context: AdminContext): AdminPage {
  let webhooks: WebhookDto[] = [];
  let kinds: string[] = [];
  let editing: WebhookDto | null = null;
  let watching: WebhookDto | null = null;

  const heading = el('h2', { text: t('admin.webhooks.heading'), attrs: { tabindex: '-1' } });
  const intro = el('p', { className: 'muted', text: t('admin.webhooks.intro') });
  const loadError = alertLine('webhooks-error');
  const status = statusLine('webhooks-status');

  // ---- the form (create, or edit one)
  const errors = createFieldErrors();
  const formTitle = el('h3', { text: t('admin.webhooks.createTitle') });
  const siteSelect = el('select', { testId: 'webhook-site', attrs: { name: 'site' } });
  const urlInput = el('input', { testId: 'webhook-url', attrs: { type: 'url', name: 'url', maxlength: '2048', placeholder: 'https://example.com/chatdesk-hook' } });
  const descriptionInput = el('input', { testId: 'webhook-description', attrs: { type: 'text', name: 'description', maxlength: '200' } });
  const enabledInput = el('input', { testId: 'webhook-enabled', attrs: { type: 'checkbox', name: 'enabled' } });
  enabledInput.checked = true;
  const eventsBox = el('fieldset', { className: 'field', testId: 'webhook-events' }, el('legend', { text: t('admin.webhooks.events') }));
  const eventsError = errors.slot('events');
  const submit = button(t('admin.webhooks.create'), 'webhook-submit', false, 'submit');
  const cancelEdit = button(t('admin.cancel'), 'webhook-cancel');
  cancelEdit.hidden = true;
  const formError = alertLine('webhook-form-error');
  const form = el(
    'form',
    { className: 'admin-form', testId: 'webhook-form', attrs: { novalidate: '' } },
    formTitle,
    labelled(t('admin.webhooks.site'), siteSelect, errors.slot('site', siteSelect)),
    labelled(t('admin.webhooks.url'), urlInput, errors.slot('url', urlInput), t('admin.webhooks.urlHint')),
    eventsBox,
    eventsError,
    labelled(t('admin.webhooks.description'), descriptionInput, errors.slot('description', descriptionInput)),
    el('label', { className: 'field-inline' }, enabledInput, ' ', t('admin.webhooks.enabled')),
    el('div', { className: 'form-actions' }, submit, cancelEdit),
    formError,
  );

  // ---- the secret, shown once
  const secretValue = el('input', { testId: 'webhook-secret', attrs: { type: 'text', readonly: '', 'aria-label': t('admin.webhooks.secret') } });
  const copySecret = button(t('admin.webhooks.copy'), 'webhook-secret-copy');
  const secretBox = el(
    'div',
    { className: 'admin-secret', testId: 'webhook-secret-box', attrs: { role: 'status' } },
    el('p', { text: t('admin.webhooks.secretOnce') }),
    el('div', { className: 'copy-row' }, secretValue, copySecret),
  );
  secretBox.hidden = true;
  copySecret.addEventListener('click', () => void copyText(secretValue.value, secretValue));

  const list = el('ul', { className: 'admin-list', testId: 'webhook-list' });
  const empty = emptyState(t('admin.webhooks.empty'));
  empty.hidden = true;

  // ---- deliveries of one subscription
  const deliveriesTitle = el('h3', { testId: 'deliveries-title' });
  const deliveriesTable = el('table', { className: 'admin-table', testId: 'deliveries' });
  const deliveriesEmpty = emptyState(t('admin.webhooks.noDeliveries'));
  const deliveriesError = alertLine('deliveries-error');
  const refresh = button(t('admin.webhooks.refresh'), 'deliveries-refresh');
  const deliveriesSection = el('section', { className: 'admin-section', testId: 'webhook-deliveries' }, deliveriesTitle,
    el('div', { className: 'form-actions' }, refresh), deliveriesError, deliveriesEmpty,
    el('div', { className: 'admin-scroll' }, deliveriesTable));
  deliveriesSection.hidden = true;
  refresh.addEventListener('click', () => void showDeliveries());

  // ---- e-mail: whether SMTP is set up, and each site's inbox for offline messages
  const emailStatus = el('p', { testId: 'email-status' });
  const inboxList = el('ul', { className: 'admin-list', testId: 'inbox-list' });
  const emailSection = el('section', { className: 'admin-section', testId: 'admin-email' },
    el('h3', { text: t('admin.email.heading') }), emailStatus, el('p', { className: 'muted', text: t('admin.email.inboxIntro') }), inboxList);

  const element = el(
    'section',
    { className: 'admin-page', testId: 'admin-webhooks' },
    heading,
    intro,
    loadError,
    el('section', { className: 'admin-section' }, form, secretBox),
    el('section', { className: 'admin-section' }, el('h3', { text: t('admin.webhooks.listHeading') }), status, empty, list),
    deliveriesSection,
    emailSection,
  );

  const checkedKinds = () => [...eventsBox.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].filter((box) => box.checked).map((box) => box.value);

  const renderKinds = (selected: string[]) => {
    eventsBox.replaceChildren(
      el('legend', { text: t('admin.webhooks.events') }),
      ...kinds.map((kind) => {
        const box = el('input', { testId: `webhook-event-${kind}`, attrs: { type: 'checkbox', value: kind } });
        box.checked = selected.includes(kind);
        return el('label', { className: 'field-inline' }, box, ' ', el('code', { text: kind }));
      }),
    );
  };

  const resetForm = () => {
    editing = null;
    errors.clear();
    showText(formError, null);
    formTitle.textContent = t('admin.webhooks.createTitle');
    submit.textContent = t('admin.webhooks.create');
    siteSelect.disabled = false;
    cancelEdit.hidden = true;
    urlInput.value = '';
    descriptionInput.value = '';
    enabledInput.checked = true;
    renderKinds([]);
  };

  const startEdit = (webhook: WebhookDto) => {
    resetForm();
    editing = webhook;
    formTitle.textContent = t('admin.webhooks.editTitle');
    submit.textContent = t('admin.save');
    siteSelect.value = webhook.site;
    siteSelect.disabled = true;
    cancelEdit.hidden = false;
    urlInput.value = webhook.url;
    descriptionInput.value = webhook.description;
    enabledInput.checked = webhook.enabled;
    renderKinds(webhook.events);
    secretBox.hidden = true;
    urlInput.focus();
  };
  cancelEdit.addEventListener('click', resetForm);

  const showSecret = (secret: string) => {
    secretValue.value = secret;
    secretBox.hidden = false;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    errors.clear();
    showText(formError, null);
    const input: WebhookInput = {
      site: siteSelect.value,
      url: urlInput.value.trim(),
      events: checkedKinds(),
      enabled: enabledInput.checked,
      description: descriptionInput.value.trim(),
      version: editing?.version ?? null,
    };
    const target = editing;
    void busy(submit, t('admin.working'), async () => {
      if (target) {
        const result = await webhookApi.update(target.id, input);
        if (!result.ok) return failed(result.problem);
        webhooks = webhooks.map((item) => (item.id === target.id ? result.value : item));
        showStatus(status, t('admin.webhooks.saved'));
      } else {
        const result = await webhookApi.create(input);
        if (!result.ok) return failed(result.problem);
        webhooks = [...webhooks, result.value.webhook];
        showSecret(result.value.secret);
        showStatus(status, t('admin.webhooks.created'));
      }
      resetForm();
      renderList();
      return undefined;
    });
  });

  const failed = (problem: Parameters<typeof problemText>[0]) => {
    if (problem && Object.keys(problem.fields).length > 0) {
      const unplaced = errors.show(problem);
      if (unplaced.length > 0) showText(formError, unplaced.join(' '));
      errors.focusFirst();
    } else {
      showText(formError, problemText(problem));
    }
    return undefined;
  };

  const renderList = () => {
    empty.hidden = webhooks.length > 0;
    list.replaceChildren(...webhooks.map(renderRow));
  };

  function renderRow(webhook: WebhookDto): HTMLElement {
    const edit = button(t('admin.webhooks.edit'), 'webhook-edit');
    const deliveries = button(t('admin.webhooks.deliveries'), 'webhook-show-deliveries');
    const rotate = button(t('admin.webhooks.rotate'), 'webhook-rotate');
    const remove = button(t('admin.webhooks.delete'), 'webhook-delete');
    edit.addEventListener('click', () => startEdit(webhook));
    deliveries.addEventListener('click', () => {
      watching = webhook;
      void showDeliveries();
    });
    rotate.addEventListener('click', () =>
      context.confirm.ask({
        title: t('admin.webhooks.rotateTitle'),
        text: t('admin.webhooks.rotateText'),
        confirmText: 'admin.webhooks.rotate',
        opener: rotate,
        action: async () => {
          const result = await webhookApi.rotate(webhook.id);
          if (!result.ok) return problemText(result.problem);
          webhooks = webhooks.map((item) => (item.id === webhook.id ? result.value.webhook : item));
          renderList();
          showSecret(result.value.secret);
          return null;
        },
      }),
    );
    remove.addEventListener('click', () =>
      context.confirm.ask({
        title: t('admin.webhooks.deleteTitle'),
        text: t('admin.webhooks.deleteText', { url: webhook.url }),
        confirmText: 'admin.webhooks.delete',
        opener: remove,
        action: async () => {
          const result = await webhookApi.remove(webhook.id);
          if (!result.ok) return problemText(result.problem);
          webhooks = webhooks.filter((item) => item.id !== webhook.id);
          if (watching?.id === webhook.id) deliveriesSection.hidden = true;
          if (editing?.id === webhook.id) resetForm();
          renderList();
          showStatus(status, t('admin.webhooks.deleted'));
          return null;
        },
      }),
    );
    return el(
      'li',
      { className: webhook.enabled ? 'admin-row' : 'admin-row retired', testId: 'webhook-row', attrs: { 'data-id': webhook.id } },
      el('code', { text: webhook.site }),
      el('span', { className: 'webhook-url', testId: 'webhook-row-url', text: webhook.url }),
      el('span', { className: 'muted', text: webhook.events.join(', ') }),
      el('span', { className: 'muted', testId: 'webhook-row-secret', text: webhook.secretHint }),
      ...(webhook.enabled ? [] : [badge(t('admin.webhooks.disabled'), 'webhook-disabled', 'retired')]),
      el('span', { className: 'admin-actions' }, edit, deliveries, rotate, remove),
    );
  }

  async function showDeliveries(): Promise<void> {
    const webhook = watching;
    if (!webhook) return;
    deliveriesSection.hidden = false;
    deliveriesTitle.textContent = t('admin.webhooks.deliveriesTitle', { url: webhook.url });
    const result = await webhookApi.deliveries(webhook.id);
    if (!result.ok) {
      showText(deliveriesError, problemText(result.problem));
      return;
    }
    showText(deliveriesError, null);
    deliveriesEmpty.hidden = result.value.length > 0;
    const head = el('thead', {}, el('tr', {}, ...(['event', 'status', 'attempts', 'response', 'latency', 'time', 'error', 'actions'] as const).map((column) =>
      el('th', { text: t(`admin.webhooks.column.${column}`) }))));
    deliveriesTable.replaceChildren(head, el('tbody', {}, ...result.value.map(renderDelivery)));
  }

  function renderDelivery(delivery: WebhookDelivery): HTMLElement {
    const actions = el('td', {});
    if (delivery.status === 'failed') {
      const replay = button(t('admin.webhooks.replay'), 'delivery-replay');
      replay.addEventListener('click', () => {
        void busy(replay, t('admin.working'), async () => {
          const result = await webhookApi.replay(delivery.id);
          if (!result.ok) showText(deliveriesError, problemText(result.problem));
          else await showDeliveries();
        });
      });
      actions.append(replay);
    }
    return el(
      'tr',
      { testId: 'delivery-row', attrs: { 'data-id': delivery.id, 'data-status': delivery.status } },
      el('td', {}, el('code', { text: delivery.event })),
      el('td', {}, badge(t(STATUS_KEY[delivery.status]), 'delivery-status', delivery.status === 'failed' ? 'retired' : '')),
      el('td', { testId: 'delivery-attempts', text: String(delivery.attempts) }),
      el('td', { text: delivery.responseCode === null ? '—' : String(delivery.responseCode) }),
      el('td', { text: delivery.latencyMs === null ? '—' : t('admin.webhooks.ms', { ms: delivery.latencyMs }) }),
      el('td', { text: new Date(delivery.completedAt ?? delivery.createdAt).toLocaleString() }),
      el('td', { testId: 'delivery-error', text: delivery.error ?? '' }),
      actions,
    );
  }

  function renderInbox(site: SiteInbox): HTMLElement {
    const errors = createFieldErrors();
    const input = el('input', {
      testId: 'inbox-email',
      attrs: { type: 'email', name: 'inboxEmail', maxlength: '254', placeholder: 'support@example.com', 'aria-label': t('admin.email.inboxLabel', { site: site.name }) },
    });
    input.value = site.inboxEmail ?? '';
    const save = button(t('admin.save'), 'inbox-save', true, 'submit');
    const saved = statusLine('inbox-status');
    const error = alertLine('inbox-error');
    const form = el('form', { className: 'rename-form', attrs: { novalidate: '' } }, input, save, errors.slot('inboxEmail', input), saved, error);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (save.disabled) return;
      errors.clear();
      showText(error, null);
      void busy(save, t('admin.working'), async () => {
        const result = await webhookApi.setInbox(site.key, input.value.trim(), site.version);
        if (!result.ok) {
          if (result.problem && Object.keys(result.problem.fields).length > 0) errors.show(result.problem);
          else showText(error, problemText(result.problem));
          return;
        }
        site.version = result.value.version;
        site.inboxEmail = result.value.inboxEmail;
        showStatus(saved, t('admin.email.saved'));
      });
    });
    return el('li', { className: 'admin-row', testId: 'inbox-row', attrs: { 'data-site': site.key } }, el('span', { text: `${site.name} (${site.key})` }), form);
  }

  const loadEmail = async () => {
    const result = await webhookApi.email();
    if (!result.ok) {
      showText(emailStatus, problemText(result.problem));
      return;
    }
    emailStatus.textContent = result.value.configured ? t('admin.email.configured', { from: result.value.from ?? '' }) : t('admin.email.notConfigured');
    emailStatus.dataset.configured = String(result.value.configured);
    inboxList.replaceChildren(...result.value.sites.map(renderInbox));
  };

  const load = async () => {
    const [list, settings, sites] = await Promise.all([webhookApi.list(), webhookApi.settings(), webhookApi.sites()]);
    if (!list.ok || !settings.ok || !sites.ok) {
      showText(loadError, problemText(!list.ok ? list.problem : !settings.ok ? settings.problem : !sites.ok ? sites.problem : null));
      return;
    }
    showText(loadError, null);
    webhooks = list.value;
    kinds = settings.value.eventKinds;
    siteSelect.replaceChildren(...sites.value.map((site) => el('option', { text: `${site.name} (${site.key})`, attrs: { value: site.key } })));
    if (editing === null) renderKinds(checkedKinds());
    renderList();
  };

  return {
    element,
    show: () => {
      secretBox.hidden = true;
      void load();
      void loadEmail();
    },
  };
}
