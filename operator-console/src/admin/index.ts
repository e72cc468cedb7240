import { t, type MessageKey } from '../i18n';
import { hasRole, type Me } from '../shared/contract';
import { el } from '../shared/dom';
import { createAuditPage } from './audit';
import { createConfirm, type AdminPage } from './common';
import { createOnboardingPage } from './onboarding';
import { createPeoplePage } from './people';
import { createPrivacyPage } from './privacy';
import { createSitesPage } from './sites';
import { createSkillsPage } from './skills';
import { createTokensPage } from './tokens';
import { createWebhooksPage } from './webhooks';

export const ADMIN_HASH = '#admin';

export function isAdminHash(hash: string): boolean {
  return hash === ADMIN_HASH || hash.startsWith(`${ADMIN_HASH}/`);
}

type Section = 'start' | 'people' | 'skills' | 'sites' | 'webhooks' | 'privacy' | 'tokens' | 'audit';
const SECTIONS: readonly Section[] = ['start', 'people', 'skills', 'sites', 'webhooks', 'privacy', 'tokens', 'audit'];
const NAV_LABEL: Record<Section, MessageKey> = {
  start: 'admin.nav.start',
  people: 'admin.nav.people',
  skills: 'admin.nav.skills',
  sites: 'admin.nav.sites',
  webhooks: 'admin.nav.webhooks',
  privacy: 'admin.nav.privacy',
  tokens: 'admin.nav.tokens',
  audit: 'admin.nav.audit',
};

/** `#admin/sites/shop` -> { section: 'sites', route: 'sites/shop' }; unknown sections show the start page. */
export function adminRoute(hash: string): { section: Section; route: string } {
  const route = hash.slice(ADMIN_HASH.length + 1);
  const first = route.split('/')[0] ?? '';
  const section = (SECTIONS as readonly string[]).includes(first) ? (first as Section) : 'start';
  return { section, route: section === 'start' ? 'start' : route };
}

export interface AdminAreaOptions {
  me: Me;
  /** Header items owned by the caller (account link, log out). */
  headerItems: HTMLElement[];
  /** Back to the workspace: absent for people who have no workspace (admins who are not operators). */
  onExit?: () => void;
}

export interface AdminArea {
  element: HTMLElement;
  dispose(): void;
}

/**
 * The admin area (#admin…): a nav and one page per section, switched by the URL hash. Admins only; others see
 * a polite note (the server refuses them anyway). It needs no hub connection.
 */
export function createAdminArea(options: AdminAreaOptions): AdminArea {
  const exit = options.onExit;
  const exitButton = el('button', { className: 'secondary', testId: 'admin-exit', text: t('admin.exit'), attrs: { type: 'button' } });
  exitButton.hidden = exit === undefined;
  exitButton.addEventListener('click', () => exit?.());
  const header = el(
    'header',
    { className: 'app-header' },
    el('span', { className: 'brand', text: t('app.brand') }),
    el('span', { className: 'admin-title', text: t('admin.title') }),
    el('span', { className: 'spacer' }),
    exitButton,
    ...options.headerItems,
  );

  if (!hasRole(options.me.roles, 'Admin')) {
    return {
      element: el(
        'div',
        { className: 'admin-area' },
        header,
        el('main', { className: 'admin-main' }, el('p', { className: 'admin-note', testId: 'admin-forbidden', text: t('admin.adminsOnly') })),
      ),
      dispose: () => undefined,
    };
  }

  const confirm = createConfirm();
  const context = { confirm };
  const pages: Record<Section, AdminPage> = {
    start: createOnboardingPage(),
    people: createPeoplePage(context),
    skills: createSkillsPage(context),
    sites: createSitesPage(context),
    webhooks: createWebhooksPage(context),
    privacy: createPrivacyPage(context),
    tokens: createTokensPage(context),
    audit: createAuditPage(),
  };
  const links = new Map(
    SECTIONS.map((section) => [
      section,
      el('a', { testId: `admin-nav-${section}`, text: t(NAV_LABEL[section]), attrs: { href: `${ADMIN_HASH}/${section}` } }),
    ]),
  );
  const nav = el('nav', { className: 'admin-nav', attrs: { 'aria-label': t('admin.title') } }, el('ul', {}, ...[...links.values()].map((link) => el('li', {}, link))));
  const main = el('main', { className: 'admin-main' }, ...SECTIONS.map((section) => pages[section].element));
  const element = el('div', { className: 'admin-area', testId: 'admin' }, header, el('div', { className: 'admin-body' }, nav, main), confirm.element);

  let shown: string | null = null;
  const route = () => {
    if (!isAdminHash(location.hash)) return; // leaving the area: the caller takes it down
    const { section, route: path } = adminRoute(location.hash);
    for (const name of SECTIONS) pages[name].element.hidden = name !== section;
    for (const [name, link] of links) {
      if (name === section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    pages[section].show(path);
    // A new page: the focus goes to its heading so keyboard and screen-reader users start there.
    if (shown !== null && shown !== path) {
      const heading = [...pages[section].element.querySelectorAll('h2')].find((node) => !node.closest('[hidden]'));
      heading?.setAttribute('tabindex', '-1');
      heading?.focus();
    }
    shown = path;
  };
  window.addEventListener('hashchange', route);
  route();

  return {
    element,
    dispose: () => window.removeEventListener('hashchange', route),
  };
}
