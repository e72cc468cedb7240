// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { $, json, settle, stubFetch, type FakeFetch } from '../shared/testing/fakeFetch';
import { adminRoute, createAdminArea } from './index';

const me = (roles: string[]) => ({ id: 'u1', email: 'ada@example.com', displayName: 'Ada', roles });

let fetch: FakeFetch;
beforeEach(() => {
  document.body.replaceChildren();
  fetch = stubFetch();
  fetch.routes['GET /api/admin/onboarding'] = () => json(200, { demo: false, steps: [] });
  fetch.routes['GET /api/admin/people'] = () => json(200, []);
});
afterEach(() => {
  vi.unstubAllGlobals();
  location.hash = '';
});

describe('admin area (DOM)', () => {
  it('maps hashes to sections', () => {
    expect(adminRoute('#admin')).toEqual({ section: 'start', route: 'start' });
    expect(adminRoute('#admin/start')).toEqual({ section: 'start', route: 'start' });
    expect(adminRoute('#admin/sites/shop')).toEqual({ section: 'sites', route: 'sites/shop' });
    expect(adminRoute('#admin/nope')).toEqual({ section: 'start', route: 'start' });
    expect(adminRoute('#admin/privacy')).toEqual({ section: 'privacy', route: 'privacy' });
  });

  it('tells a manager politely that it is for admins, and asks the server nothing', () => {
    location.hash = '#admin';
    const area = createAdminArea({ me: me(['Manager', 'Operator']), headerItems: [], onExit: () => undefined });
    document.body.append(area.element);
    expect($('[data-testid="admin-forbidden"]')?.textContent).toContain('administrators only');
    expect($('[data-testid="admin-nav-people"]')).toBeNull();
    expect(fetch.requests).toHaveLength(0);
  });

  it('switches pages with the hash, marks the current link and leaves through admin-exit', async () => {
    location.hash = '#admin';
    const onExit = vi.fn();
    const area = createAdminArea({ me: me(['Admin']), headerItems: [], onExit });
    document.body.append(area.element);
    await settle();
    expect($('[data-testid="admin-start"]')?.hidden).toBe(false);
    expect($('[data-testid="admin-nav-start"]')?.getAttribute('aria-current')).toBe('page');
    expect($('[data-testid="admin-nav-people"]')?.getAttribute('href')).toBe('#admin/people');

    location.hash = '#admin/people';
    await settle();
    expect($('[data-testid="admin-start"]')?.hidden).toBe(true);
    expect($('[data-testid="admin-people"]')?.hidden).toBe(false);
    expect($('[data-testid="admin-nav-people"]')?.getAttribute('aria-current')).toBe('page');
    expect(document.activeElement?.textContent).toBe('People');
    expect(fetch.sent('GET', '/api/admin/people')).toHaveLength(1);

    expect($('[data-testid="admin-nav-privacy"]')?.getAttribute('href')).toBe('#admin/privacy');
    location.hash = '#admin/privacy';
    await settle();
    expect($('[data-testid="admin-people"]')?.hidden).toBe(true);
    expect($('[data-testid="admin-privacy"]')?.hidden).toBe(false);
    expect($('[data-testid="admin-nav-privacy"]')?.getAttribute('aria-current')).toBe('page');
    expect(document.activeElement?.textContent).toBe('Privacy: a visitor’s data');

    $('[data-testid="admin-exit"]')?.click();
    expect(onExit).toHaveBeenCalled();
    area.dispose();
  });

  it('has no way back to a workspace for admins who are not operators', () => {
    location.hash = '#admin';
    const area = createAdminArea({ me: me(['Admin']), headerItems: [] });
    document.body.append(area.element);
    expect($('[data-testid="admin-exit"]')?.hidden).toBe(true);
    area.dispose();
  });
});
