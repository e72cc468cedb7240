// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, $$, json, noContent, setValue, settle, stubFetch, type FakeFetch } from '../shared/testing/fakeFetch';
import type { OperatorRouting, SkillDto } from './api';
import { createConfirm } from './common';
import { createSkillsPage } from './skills';

const skills: SkillDto[] = [
  { id: 's1', key: 'billing', name: 'Billing', retired: false },
  { id: 's2', key: 'legacy', name: 'Legacy', retired: true },
  { id: 's3', key: 'tech', name: 'Tech <support>', retired: false },
];
const operators: OperatorRouting[] = [
  { id: 'o1', email: 'olga@example.com', displayName: 'Olga', status: 'online', maxConcurrentChats: 3, skills: [{ skill: 'billing', proficiency: 4 }, { skill: 'legacy', proficiency: 2 }] },
  { id: 'o2', email: 'pete@example.com', displayName: 'Pete', status: 'offline', maxConcurrentChats: 2, skills: [] },
];

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  fetch = stubFetch();
  fetch.routes['GET /api/admin/skills'] = () => json(200, skills);
  fetch.routes['GET /api/admin/operators'] = () => json(200, operators.map((o) => ({ ...o, skills: [...o.skills] })));
});
afterEach(() => vi.unstubAllGlobals());

async function mount() {
  const confirm = createConfirm();
  const page = createSkillsPage({ confirm });
  document.body.append(page.element, confirm.element);
  page.show('skills');
  await settle();
}

const row = (email: string) => $(`[data-testid="routing-row"][data-email="${email}"]`) as HTMLElement;

describe('skills page (DOM)', () => {
  it('draws the grid: operators by non-retired skills, with their levels and capacity', async () => {
    await mount();
    expect($$('[data-testid="skill-row"]').map((r) => r.dataset.key)).toEqual(['billing', 'legacy', 'tech']);
    expect($('[data-testid="skill-row"][data-key="legacy"] [data-testid="skill-restore"]')).not.toBeNull();
    const olga = row('olga@example.com');
    expect(olga.querySelector('[data-testid="routing-cell-legacy"]')).toBeNull(); // retired: no column
    expect(olga.querySelector<HTMLSelectElement>('[data-testid="routing-cell-billing"]')?.value).toBe('4');
    expect(olga.querySelector<HTMLSelectElement>('[data-testid="routing-cell-tech"]')?.value).toBe('');
    expect(olga.querySelector<HTMLInputElement>('[data-testid="routing-capacity"]')?.value).toBe('3');
    expect($('[data-testid="routing-grid"] thead')?.textContent).toContain('Tech <support>');
  });

  it('saves one row with the right body (levels on retired skills kept) and says so on that row', async () => {
    fetch.routes['PUT /api/admin/operators/o1/routing'] = () => noContent();
    await mount();
    const olga = row('olga@example.com');
    setValue(olga.querySelector('[data-testid="routing-cell-billing"]'), '');
    setValue(olga.querySelector('[data-testid="routing-cell-tech"]'), '5');
    setValue(olga.querySelector('[data-testid="routing-capacity"]'), '4');
    expect(olga.querySelector('[data-testid="routing-row-status"]')?.textContent).toBe('Not saved yet');
    olga.querySelector<HTMLButtonElement>('[data-testid="routing-save"]')?.click();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/operators/o1/routing')[0]?.body).toEqual({
      maxConcurrentChats: 4,
      skills: [{ skill: 'tech', proficiency: 5 }, { skill: 'legacy', proficiency: 2 }],
    });
    expect(olga.querySelector('[data-testid="routing-row-status"]')?.textContent).toBe('Saved.');
    expect(row('pete@example.com').querySelector<HTMLElement>('[data-testid="routing-row-status"]')?.hidden).toBe(true);
  });

  it('refuses a capacity out of range and shows a server error on the row', async () => {
    fetch.routes['PUT /api/admin/operators/o2/routing'] = () => json(400, { title: 'Unknown skills', detail: 'No such skill: tech.', status: 400 });
    await mount();
    const pete = row('pete@example.com');
    setValue(pete.querySelector('[data-testid="routing-capacity"]'), '0');
    pete.querySelector<HTMLButtonElement>('[data-testid="routing-save"]')?.click();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/operators/o2/routing')).toHaveLength(0);
    expect(pete.querySelector('[data-testid="routing-row-error"]')?.textContent).toBe('Choose a whole number from 1 to 50.');
    setValue(pete.querySelector('[data-testid="routing-capacity"]'), '2');
    pete.querySelector<HTMLButtonElement>('[data-testid="routing-save"]')?.click();
    await settle();
    expect(pete.querySelector('[data-testid="routing-row-error"]')?.textContent).toBe('Unknown skills — No such skill: tech.');
  });

  it('creates a skill; a duplicate key (409) shows next to the key', async () => {
    fetch.routes['POST /api/admin/skills'] = () => json(409, { title: 'Skill already exists', detail: "A skill with the key 'billing' already exists.", status: 409 });
    await mount();
    const form = $<HTMLFormElement>('[data-testid="skill-create-form"]');
    setValue($('[data-testid="skill-new-key"]') as HTMLInputElement, 'Bad Key');
    form?.requestSubmit();
    expect($('[data-testid="skill-create-form"] [data-testid="field-error-key"]')?.textContent).toContain('lower-case');
    expect($('[data-testid="skill-create-form"] [data-testid="field-error-name"]')?.hidden).toBe(false);
    setValue($('[data-testid="skill-new-key"]') as HTMLInputElement, 'billing');
    setValue(form?.querySelector('[name="name"]') as HTMLInputElement, 'Billing 2');
    form?.requestSubmit();
    await settle();
    expect(fetch.sent('POST', '/api/admin/skills')[0]?.body).toEqual({ key: 'billing', name: 'Billing 2' });
    expect($('[data-testid="skill-create-form"] [data-testid="field-error-key"]')?.textContent).toBe("A skill with the key 'billing' already exists.");

    fetch.routes['POST /api/admin/skills'] = () => json(201, { id: 's4', key: 'sales', name: 'Sales', retired: false });
    setValue($('[data-testid="skill-new-key"]') as HTMLInputElement, 'sales');
    setValue(form?.querySelector('[name="name"]') as HTMLInputElement, 'Sales');
    form?.requestSubmit();
    await settle();
    expect($('[data-testid="skill-row"][data-key="sales"]')).not.toBeNull();
    expect(row('olga@example.com').querySelector('[data-testid="routing-cell-sales"]')).not.toBeNull();
  });

  it('renames in place and retires only after a confirmation', async () => {
    fetch.routes['PUT /api/admin/skills/s1'] = () => json(200, { ...skills[0], name: 'Invoices' });
    fetch.routes['POST /api/admin/skills/s1/retire'] = () => json(200, { ...skills[0], name: 'Invoices', retired: true });
    await mount();
    $('[data-testid="skill-row"][data-key="billing"] [data-testid="skill-rename"]')?.click();
    const input = $<HTMLInputElement>('[data-testid="skill-rename-input"]');
    expect(document.activeElement).toBe(input);
    setValue(input, 'Invoices');
    input?.form?.requestSubmit();
    await settle();
    expect(fetch.sent('PUT', '/api/admin/skills/s1')[0]?.body).toEqual({ name: 'Invoices' });
    expect($('[data-testid="skill-row"][data-key="billing"] [data-testid="skill-name"]')?.textContent).toBe('Invoices');

    $('[data-testid="skill-row"][data-key="billing"] [data-testid="skill-retire"]')?.click();
    expect(fetch.sent('POST', '/api/admin/skills/s1/retire')).toHaveLength(0);
    expect($('[data-testid="confirm"]')?.closest('[hidden]')).toBeNull();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect(fetch.sent('POST', '/api/admin/skills/s1/retire')).toHaveLength(1);
    expect($('[data-testid="skill-row"][data-key="billing"] [data-testid="skill-retired"]')).not.toBeNull();
    expect(row('olga@example.com').querySelector('[data-testid="routing-cell-billing"]')).toBeNull();
  });

  it('shows a retire refusal (still used by a topic) in the dialog', async () => {
    fetch.routes['POST /api/admin/skills/s3/retire'] = () => json(409, { title: 'Skill in use', detail: 'The topic shop/help asks for it.', status: 409 });
    await mount();
    $('[data-testid="skill-row"][data-key="tech"] [data-testid="skill-retire"]')?.click();
    $('[data-testid="confirm-ok"]')?.click();
    await settle();
    expect($('[data-testid="confirm-error"]')?.textContent).toBe('Skill in use — The topic shop/help asks for it.');
  });
});
