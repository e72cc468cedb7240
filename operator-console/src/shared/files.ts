/** Files sent in chats: pure helpers shared by the chat view (download links) and the files feature (uploads). */

import type { FileRules } from './contract';

/** Codes of the server's problem responses (docs/contract.md, "Files"), plus 'failed' for anything else. */
export type FileErrorCode =
  | 'no_open_chat'
  | 'chat_ended'
  | 'unknown_conversation'
  | 'name_required'
  | 'type_not_allowed'
  | 'type_mismatch'
  | 'content_mismatch'
  | 'too_large'
  | 'empty'
  | 'scan_rejected'
  | 'failed';

const SERVER_CODES: readonly string[] = [
  'no_open_chat', 'chat_ended', 'unknown_conversation', 'name_required', 'type_not_allowed',
  'type_mismatch', 'content_mismatch', 'too_large', 'empty', 'scan_rejected',
];

export function fileDownloadUrl(fileId: string): string {
  return `/api/files/${encodeURIComponent(fileId)}`;
}

export function fileUploadUrl(conversationId: string, name: string): string {
  return `/api/files/conversations/${encodeURIComponent(conversationId)}?name=${encodeURIComponent(name)}`;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The refusal the server would give, found before uploading (null = send it). */
export function checkFile(name: string, size: number, rules: FileRules): FileErrorCode | null {
  if (!rules.allowedTypes.includes(extensionOf(name))) return 'type_not_allowed';
  if (size === 0) return 'empty';
  if (size > rules.maxBytes) return 'too_large';
  return null;
}

export function formatFileSize(bytes: number, language: string): string {
  const number = (value: number) => new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
  if (bytes >= 1024 * 1024) return `${number(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${number(bytes / 1024)} KB`;
  return `${number(bytes)} B`;
}

export function toFileErrorCode(body: unknown): FileErrorCode {
  if (typeof body === 'object' && body !== null) {
    const code = (body as Record<string, unknown>).code;
    if (typeof code === 'string' && SERVER_CODES.includes(code)) return code as FileErrorCode;
  }
  return 'failed';
}
