import { en } from '../i18n/en';
import { fr } from '../i18n/fr';
import { t } from '../i18n';
import { el } from '../shared/dom';
import type { SiteSettings, UiLanguage } from './api';

/** The widget's own words in the language being previewed (not the console's language). */
const WIDGET_TEXT = { en, fr } as const;

export interface SitePreview {
  element: HTMLElement;
  update(site: SiteSettings, language: UiLanguage): void;
}

/**
 * A static, non-interactive picture of the widget as configured: launcher bubble, site name, the pre-chat
 * topic list in the previewed language, and the "closed" look of a disabled site. Drawn with the DOM (no iframe).
 */
export function createSitePreview(): SitePreview {
  const body = el('div', { className: 'preview-widget', attrs: { 'aria-hidden': 'true' } });
  const element = el(
    'figure',
    { className: 'site-preview', testId: 'site-preview' },
    el('figcaption', { className: 'muted', text: t('admin.sites.previewCaption') }),
    body,
  );

  return {
    element,
    update(site, language) {
      const words = WIDGET_TEXT[language];
      const topics = site.topics.filter((topic) => (language === 'fr' ? topic.labelFr : topic.labelEn).trim() !== '');
      const panel = el(
        'div',
        { className: 'preview-panel' },
        el('div', { className: 'preview-header', testId: 'preview-site-name', text: site.name.trim() || words['admin.preview.untitled'] }),
      );
      if (site.disabled) {
        panel.append(el('p', { className: 'preview-closed', testId: 'preview-closed', text: words['admin.preview.closed'] }));
      } else {
        panel.append(
          el('p', { className: 'preview-prompt', text: words['admin.preview.chooseTopic'] }),
          topics.length > 0
            ? el(
                'ul',
                { className: 'preview-topics', testId: 'preview-topics' },
                ...topics.map((topic) => el('li', { text: language === 'fr' ? topic.labelFr : topic.labelEn })),
              )
            : el('p', { className: 'preview-empty', text: words['admin.preview.noTopics'] }),
          el('span', { className: 'preview-start', text: words['admin.preview.start'] }),
        );
      }
      body.dataset.closed = String(site.disabled);
      body.replaceChildren(panel, el('span', { className: 'preview-launcher', testId: 'preview-launcher', text: '💬' }));
    },
  };
}
