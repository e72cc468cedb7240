// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, setValue, settle, stubFetch, type FakeFetch } from '../shared/testing/fakeFetch';
import { createAuditPage } from './audit';

const entry = (id: string, type: string) => ({
  id,
  type,
  occurredAt: '2030-01-02T10:00:00Z',
  actorId: 'u1',
  actorName: 'Ada <Admin>',
  targetKind: 'site',
  targetId: 'shop',
  targetLabel: 'Shop',
  before: id === 'e1' ? { name: 'Old <b>' } : null,
  after: { name: 'New' },
});

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  fetch = stubFetch();
  fetch.routes['GET /api/admin/people'] = () => json(200, [{ id: 'u1', email: 'ada@example.com', displayName: 'Ada', roles: ['Admin'], language: 'en', disabled: false, invitationPending: false, status: 'offline', version: 'v' }]);
});
afterEach(() => vi.unstubAllGlobals());

describe('audit log (DOM)', () => {
  it('shows entries with readable before/after, filters, and loads more with the cursor', async () => {
    fetch.routes['GET /api/admin/audit'] = ({ url }) =>
      url.includes('before=c1')
        ? json(200, { entries: [entry('e3', 'admin.site_created')], next: null })
        : json(200, { entries: [entry('e1', 'admin.site_updated'), entry('e2', 'admin.person_invited')], next: 'c1' });
    const page = createAuditPage();
    document.body.append(page.element);
    page.show('audit');
    await settle();
    const rows = $$('[data-testid="audit-row"]');
    expect(rows.map((row) => row.dataset.type)).toEqual(['admin.site_updated', 'admin.person_invited']);
    expect(rows[0]?.textContent).toContain('Ada <Admin>');
    expect(rows[0]?.querySelector('[data-testid="audit-before"]')?.textContent).toBe('{\n  "name": "Old <b>"\n}');
    expect(rows[1]?.querySelector('[data-testid="audit-before"]')?.textContent).toBe('—');

    $('[data-testid="audit-more"]')?.click();
    await settle();
    expect(fetch.requests.at(-1)?.url).toBe('/api/admin/audit?before=c1');
    expect($$('[data-testid="audit-row"]')).toHaveLength(3);
    expect($('[data-testid="audit-more"]')?.hidden).toBe(true);

    setValue($('[data-testid="audit-filter-type"]') as HTMLSelectElement, 'admin.site');
    await settle();
    setValue($('[data-testid="audit-filter-actor"]') as HTMLSelectElement, 'u1');
    setValue($('[name="from"]') as HTMLInputElement, '2030-01-01');
    setValue($('[name="to"]') as HTMLInputElement, '2030-01-31');
    $<HTMLFormElement>('[data-testid="audit-filters"]')?.requestSubmit();
    await settle();
    expect(fetch.requests.at(-1)?.url).toBe('/api/admin/audit?type=admin.site&actor=u1&from=2030-01-01&to=2030-01-31');
    expect($$('[data-testid="audit-row"]')).toHaveLength(2); // replaced, not appended
  });
});
