// Pure rules for files sent in the chat (no DOM): the checks the widget makes
// before uploading, and the translation of the server's refusal codes.

import { format, type Messages } from './i18n';
import type { FileRules } from './protocol';

/** Codes of the server's problem responses (docs/contract.md, "Files"), plus the widget's own. */
export type FileErrorCode =
  | 'no_open_chat'
  | 'chat_ended'
  | 'name_required'
  | 'type_not_allowed'
  | 'type_mismatch'
  | 'content_mismatch'
  | 'too_large'
  | 'empty'
  | 'scan_rejected'
  | 'not_found'
  | 'failed';

const SERVER_CODES: readonly string[] = [
  'no_open_chat', 'chat_ended', 'name_required', 'type_not_allowed', 'type_mismatch',
  'content_mismatch', 'too_large', 'empty', 'scan_rejected', 'not_found',
];

/** Lower-case extension without the dot ("" when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The refusal the server would give, found before uploading anything (null = send it). */
export function checkFile(name: string, size: number, rules: FileRules): FileErrorCode | null {
  if (!rules.allowedTypes.includes(extensionOf(name))) return 'type_not_allowed';
  if (size === 0) return 'empty';
  if (size > rules.maxBytes) return 'too_large';
  return null;
}

/** Value of the file input's accept attribute: ".png,.pdf,…". */
export function acceptAttribute(rules: FileRules): string {
  return rules.allowedTypes.map((t) => `.${t}`).join(',');
}

export function formatSize(bytes: number, lang: string): string {
  const number = (value: number) => new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value);
  if (bytes >= 1024 * 1024) return `${number(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${number(bytes / 1024)} KB`;
  return `${number(bytes)} B`;
}

/** The code of a problem+json body; anything unknown is a plain failure. */
export function toFileErrorCode(body: unknown): FileErrorCode {
  if (typeof body === 'object' && body !== null) {
    const code = (body as Record<string, unknown>).code;
    if (typeof code === 'string' && SERVER_CODES.includes(code)) return code as FileErrorCode;
  }
  return 'failed';
}

/** A message the visitor can act on, in their language. */
export function fileErrorMessage(t: Messages, code: FileErrorCode, name: string, rules: FileRules, lang: string): string {
  const values = {
    name,
    max: formatSize(rules.maxBytes, lang),
    types: rules.allowedTypes.map((x) => `.${x}`).join(', '),
  };
  const templates: Record<FileErrorCode, string> = {
    no_open_chat: t.fileNoOpenChat,
    chat_ended: t.fileNoOpenChat,
    name_required: t.fileNameRequired,
    type_not_allowed: t.fileTypeNotAllowed,
    type_mismatch: t.fileContentMismatch,
    content_mismatch: t.fileContentMismatch,
    too_large: t.fileTooLarge,
    empty: t.fileEmpty,
    scan_rejected: t.fileScanRejected,
    not_found: t.fileNotFound,
    failed: t.fileFailed,
  };
  return format(templates[code], values);
}
