import { getLanguage, t, type MessageKey } from '../i18n';
import { isFileRules, type FileRules } from '../shared/contract';
import { el } from '../shared/dom';
import { checkFile, fileUploadUrl, formatFileSize, toFileErrorCode, type FileErrorCode } from '../shared/files';
import { readCookie, XSRF_COOKIE, XSRF_HEADER } from '../shared/http';
import type { ChatWorkspace } from '../shared/workspace';

const errorKeys: Record<FileErrorCode, MessageKey> = {
  no_open_chat: 'files.error.chatEnded',
  chat_ended: 'files.error.chatEnded',
  unknown_conversation: 'files.error.chatEnded',
  name_required: 'files.error.nameRequired',
  type_not_allowed: 'files.error.typeNotAllowed',
  type_mismatch: 'files.error.contentMismatch',
  content_mismatch: 'files.error.contentMismatch',
  too_large: 'files.error.tooLarge',
  empty: 'files.error.empty',
  scan_rejected: 'files.error.scanRejected',
  failed: 'files.error.failed',
};

export function fileErrorText(code: FileErrorCode, name: string, rules: FileRules): string {
  return t(errorKeys[code], {
    name,
    max: formatFileSize(rules.maxBytes, getLanguage()),
    types: rules.allowedTypes.map((type) => `.${type}`).join(', '),
  });
}

type UploadOutcome = { ok: true } | { ok: false; code: FileErrorCode };

/** POST the file as the body (XMLHttpRequest for its upload progress), with the antiforgery header. */
function upload(conversationId: string, file: File, onProgress: (fraction: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', fileUploadUrl(conversationId, file.name));
    const token = readCookie(document.cookie, XSRF_COOKIE);
    if (token !== null) xhr.setRequestHeader(XSRF_HEADER, token);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () =>
      resolve(xhr.status >= 200 && xhr.status < 300 ? { ok: true } : { ok: false, code: toFileErrorCode(xhr.response) }),
    );
    xhr.addEventListener('error', () => resolve({ ok: false, code: 'failed' }));
    xhr.addEventListener('abort', () => resolve({ ok: false, code: 'failed' }));
    xhr.send(file);
  });
}

let guarded = false;

/** A file dropped outside the chat would make the browser open it in place of the console (once per page). */
function guardAgainstOpeningDroppedFiles(): void {
  if (guarded) return;
  guarded = true;
  for (const type of ['dragover', 'drop'] as const) {
    window.addEventListener(type, (e) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
  }
}

/**
 * Sending files to the visitor: a file button next to the composer and dropping files on the open chat.
 * Each upload shows its progress; a refused file shows why. The sent file arrives like any message
 * ("MessageReceived"), so the chat view renders it with its download link.
 */
export function createFileSharing(workspace: ChatWorkspace): void {
  const input = el('input', { testId: 'file-input', attrs: { type: 'file', multiple: '', hidden: '', tabindex: '-1' } });
  const button = el('button', {
    className: 'secondary attach-file',
    testId: 'attach-file',
    text: t('files.attach'),
    attrs: { type: 'button', title: t('files.attachHint') },
  });
  const uploads = el('ul', { className: 'uploads', testId: 'uploads', attrs: { 'aria-live': 'polite' } });
  const error = el('p', { className: 'file-error', testId: 'file-error', attrs: { role: 'alert' } });
  error.hidden = true;
  const dropHint = el('div', { className: 'drop-hint', text: t('files.drop'), attrs: { 'aria-hidden': 'true' } });
  dropHint.hidden = true;
  workspace.slots.composerTools.prepend(button, input);
  workspace.slots.beforeComposer.append(uploads, error);
  workspace.chatPane.append(dropHint);

  /** The open chat and its rules, when files may be sent to it now. */
  const target = (): { conversationId: string; rules: FileRules } | null => {
    const id = workspace.activeId();
    const chat = id ? workspace.chat(id) : null;
    const rules = chat?.detail?.fileRules;
    if (!id || !chat || chat.ended || chat.closed !== null || !isFileRules(rules) || rules.allowedTypes.length === 0) return null;
    return { conversationId: id, rules };
  };

  const showError = (text: string | null) => {
    error.hidden = text === null;
    error.textContent = text ?? '';
  };

  const send = async (file: File) => {
    const to = target();
    if (!to) return;
    const refused = checkFile(file.name, file.size, to.rules);
    if (refused) {
      showError(fileErrorText(refused, file.name, to.rules));
      return;
    }
    showError(null);
    const progress = el('progress', { attrs: { max: '100', value: '0' } });
    const label = el('span', { className: 'upload-label', text: t('files.uploading', { name: file.name, percent: 0 }) });
    const item = el('li', { className: 'upload', testId: 'upload' }, label, progress);
    uploads.append(item);
    const outcome = await upload(to.conversationId, file, (fraction) => {
      const percent = Math.round(fraction * 100);
      progress.value = percent;
      label.textContent = t('files.uploading', { name: file.name, percent });
    });
    item.remove();
    if (!outcome.ok) showError(fileErrorText(outcome.code, file.name, to.rules));
  };

  const sendAll = (files: Iterable<File>) => {
    for (const file of files) void send(file);
  };

  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    sendAll(files);
  });

  const pane = workspace.chatPane;
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true && target() !== null;
  const showDrop = (shown: boolean) => {
    dropHint.hidden = !shown;
    pane.classList.toggle('dropping', shown);
  };
  pane.addEventListener('dragover', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    showDrop(true);
  });
  pane.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null || !pane.contains(e.relatedTarget as Node)) showDrop(false);
  });
  pane.addEventListener('drop', (e) => {
    showDrop(false);
    if (!carriesFiles(e)) return;
    e.preventDefault();
    sendAll(e.dataTransfer?.files ?? []);
  });

  guardAgainstOpeningDroppedFiles();

  let shownFor: string | null = null;
  workspace.onChange(() => {
    const to = target();
    button.disabled = to === null;
    input.accept = to ? to.rules.allowedTypes.map((type) => `.${type}`).join(',') : '';
    // An error belongs to the chat it happened in.
    const id = workspace.activeId();
    if (id !== shownFor) {
      shownFor = id;
      showError(null);
    }
  });
}
