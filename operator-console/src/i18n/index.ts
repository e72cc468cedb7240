import { en, type MessageKey, type Messages } from './en';
import { fr } from './fr';

export type { MessageKey } from './en';
export type Language = 'en' | 'fr';

const tables: Record<Language, Messages> = { en, fr };
let current: Language = 'en';

/** fr, fr-FR, fr-CA… -> French; everything else -> English. */
export function detectLanguage(tag: string | undefined): Language {
  return tag?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function setLanguage(language: Language): void {
  current = language;
  document.documentElement.lang = language;
}

export function getLanguage(): Language {
  return current;
}

/** Translate a key; `{name}` placeholders are replaced by params (plain text, never HTML). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(tables[current][key], params);
}

export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match,
  );
}
