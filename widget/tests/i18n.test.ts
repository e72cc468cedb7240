import { describe, expect, it } from 'vitest';
import { detectLanguage, format, siteLanguage, translations } from '../src/i18n';

describe('i18n', () => {
  it('en and fr have identical keys', () => {
    expect(Object.keys(translations.fr).sort()).toEqual(Object.keys(translations.en).sort());
  });

  it('has no empty strings and keeps the same placeholders', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, en] of Object.entries(translations.en)) {
      const fr = translations.fr[key as keyof typeof translations.en];
      expect(en.trim(), key).not.toBe('');
      expect(fr.trim(), key).not.toBe('');
      expect(placeholders(fr), key).toEqual(placeholders(en));
    }
  });

  it('detects French from navigator.language', () => {
    expect(detectLanguage('fr')).toBe('fr');
    expect(detectLanguage('fr-CA')).toBe('fr');
    expect(detectLanguage('FR-fr')).toBe('fr');
    expect(detectLanguage('en-US')).toBe('en');
    expect(detectLanguage('de')).toBe('en');
    expect(detectLanguage(undefined)).toBe('en');
  });

  it("keeps the visitor's language when the site offers it, else uses the site's first", () => {
    expect(siteLanguage('fr', ['en', 'fr'])).toBe('fr');
    expect(siteLanguage('en', ['fr', 'en'])).toBe('en');
    expect(siteLanguage('fr', ['en'])).toBe('en');
    expect(siteLanguage('en', ['fr'])).toBe('fr');
    expect(siteLanguage('fr', [])).toBe('fr');
  });

  it('formats placeholders', () => {
    expect(format('{count} unread', { count: 3 })).toBe('3 unread');
    expect(format('hi {x}', {})).toBe('hi {x}');
  });
});
