// Entry point of frame.html (the chat UI inside the loader's iframe).
import './frame.css';
import { detectLanguage, getMessages } from '../i18n';
import { ChatApp } from './app';

/** Returns the origin if `value` is exactly a serialized http(s) origin. */
function parseOrigin(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin === value ? url.origin : null;
  } catch {
    return null;
  }
}

const params = new URLSearchParams(window.location.search);
const siteKey = (params.get('site') ?? '').trim();
const hostOrigin = parseOrigin(params.get('host'));
// The app switches to the site's default language when the site does not offer this one.
const lang = detectLanguage(navigator.language);

const container = document.getElementById('app') ?? document.body;
new ChatApp(container, { siteKey, hostOrigin, lang, t: getMessages(lang) }).start();
