import { t } from '../i18n';
import { el } from '../shared/dom';
import { adminApi, type SiteSummary } from './api';
import { alertLine, badge, problemText, showText, type AdminContext, type AdminPage } from './common';
import { createSiteEditor } from './siteEditor';

const SITES_ROUTE = 'sites';
const NEW_SITE = 'new';

/** `sites` -> the list; `sites/new` -> a blank editor; `sites/{key}` -> that site's editor. */
function siteKeyOf(route: string): string | null | undefined {
  const rest = route.slice(SITES_ROUTE.length + 1);
  if (!route.startsWith(`${SITES_ROUTE}/`) || rest === '') return undefined;
  return rest === NEW_SITE ? null : decodeURIComponent(rest);
}

/** Sites: the list (with an empty state that says to create the first site) and the editor of one site. */
export function createSitesPage(context: AdminContext): AdminPage {
  let seq = 0;
  /** Shown once by the editor of a site that was just created (its page is opened through the URL). */
  let createdNotice: string | null = null;

  const heading = el('h2', { text: t('admin.sites.heading'), attrs: { tabindex: '-1' } });
  const newLink = el('a', { className: 'button-link', testId: 'site-new', text: t('admin.sites.new'), attrs: { href: `#admin/${SITES_ROUTE}/${NEW_SITE}` } });
  const error = alertLine('sites-error');
  const list = el('ul', { className: 'admin-list', testId: 'site-list' });
  const empty = el(
    'div',
    { className: 'admin-empty-state', testId: 'sites-empty' },
    el('p', { text: t('admin.sites.empty') }),
    el('a', { className: 'button-link', text: t('admin.sites.createFirst'), attrs: { href: `#admin/${SITES_ROUTE}/${NEW_SITE}` } }),
  );
  empty.hidden = true;
  const listView = el('section', { className: 'admin-page', testId: 'admin-sites' }, heading, el('div', { className: 'admin-toolbar' }, newLink), error, empty, list);

  const editor = createSiteEditor({
    context,
    onCreated(key) {
      createdNotice = t('admin.sites.created');
      location.hash = `#admin/${SITES_ROUTE}/${encodeURIComponent(key)}`;
    },
  });
  const element = el('div', {}, listView, editor.element);

  const render = (sites: SiteSummary[]) => {
    empty.hidden = sites.length > 0;
    list.replaceChildren(
      ...sites.map((site) =>
        el(
          'li',
          { className: site.disabled ? 'admin-row disabled' : 'admin-row', testId: 'site-row', attrs: { 'data-key': site.key } },
          el(
            'span',
            { className: 'admin-row-main' },
            el('a', { text: site.name, attrs: { href: `#admin/${SITES_ROUTE}/${encodeURIComponent(site.key)}` } }),
            el('code', { className: 'muted', text: site.key }),
          ),
          el('span', { className: 'muted', text: site.allowedOrigins.join(', ') || t('admin.sites.noOrigins') }),
          el('span', { className: 'muted', text: t('admin.sites.topicCount', { count: site.topicCount }) }),
          ...(site.disabled ? [badge(t('admin.sites.disabledBadge'), 'site-disabled', 'danger')] : []),
        ),
      ),
    );
  };

  const loadList = async () => {
    const id = ++seq;
    const result = await adminApi.sites();
    if (id !== seq) return;
    if (!result.ok) {
      showText(error, problemText(result.problem));
      return;
    }
    showText(error, null);
    render(result.value);
  };

  return {
    element,
    show(route) {
      const key = siteKeyOf(route);
      listView.hidden = key !== undefined;
      editor.element.hidden = key === undefined;
      if (key === undefined) {
        void loadList();
        return;
      }
      const notice = createdNotice ?? undefined;
      createdNotice = null;
      void editor.open(key, notice);
    },
  };
}
