import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';
import { detectLanguage, format } from './index';

describe('translation tables', () => {
  it('en and fr have identical keys', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('has no empty strings', () => {
    for (const table of [en, fr]) {
      for (const [key, value] of Object.entries(table)) expect(value.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });
});

describe('detectLanguage', () => {
  it('maps fr variants to French and the rest to English', () => {
    expect(detectLanguage('fr')).toBe('fr');
    expect(detectLanguage('fr-CA')).toBe('fr');
    expect(detectLanguage('FR-fr')).toBe('fr');
    expect(detectLanguage('en-US')).toBe('en');
    expect(detectLanguage('de')).toBe('en');
    expect(detectLanguage(undefined)).toBe('en');
  });
});

describe('format', () => {
  it('replaces known placeholders only', () => {
    expect(format('{count} unread', { count: 3 })).toBe('3 unread');
    expect(format('{a} {b}', { a: 'x' })).toBe('x {b}');
  });
});
