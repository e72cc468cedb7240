// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../i18n';
import { isMessageDto, type ChatDetail, type FileRules } from '../shared/contract';
import { checkFile, fileDownloadUrl, fileUploadUrl, formatFileSize, toFileErrorCode } from '../shared/files';
import { fakeWorkspace as sharedFakeWorkspace } from '../shared/testing/fakeWorkspace';
import type { WorkspaceChat } from '../shared/workspace';
import { createFileSharing, fileErrorText } from './index';

const AT = '2025-01-01T10:00:00Z';
const rules: FileRules = { maxBytes: 1024, allowedTypes: ['pdf', 'png'] };

function chat(id: string, fileRules: FileRules | undefined, ended = false): WorkspaceChat {
  const summary = { conversationId: id, visitorName: 'Ann', topic: 'billing', status: ended ? ('ended' as const) : ('assigned' as const), requestedAt: AT, lastMessage: null };
  const detail: ChatDetail = { ...summary, visitorEmail: null, pageUrl: null, pageTitle: null, language: null, messages: [] };
  if (fileRules) detail.fileRules = fileRules;
  return { conversationId: id, summary, detail, ended, closed: null, role: 'owner' };
}

/** The files feature uses the slots, the chat pane, activeId, chat and onChange. */
function fakeWorkspace(initial: WorkspaceChat[]) {
  const fake = sharedFakeWorkspace(initial);
  const { slots, chatPane } = fake.workspace;
  document.body.replaceChildren(chatPane, slots.composerTools, slots.beforeComposer);
  return fake;
}

const $ = (testId: string) => document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);

function choose(files: File[]): void {
  const input = $('file-input') as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  input.dispatchEvent(new Event('change'));
}

describe('files feature', () => {
  beforeEach(() => setLanguage('en'));

  it('offers the file button only in an open chat whose site accepts files', () => {
    const fake = fakeWorkspace([chat('open', rules), chat('ended', rules, true), chat('old-server', undefined)]);
    createFileSharing(fake.workspace);
    const button = $('attach-file') as HTMLButtonElement;
    fake.open('open');
    expect(button.disabled).toBe(false);
    expect(($('file-input') as HTMLInputElement).accept).toBe('.pdf,.png');
    fake.open('ended');
    expect(button.disabled).toBe(true);
    fake.open('old-server');
    expect(button.disabled).toBe(true);
  });

  it('refuses a disallowed or oversized file before sending it, with a translated message', () => {
    const fake = fakeWorkspace([chat('c1', rules), chat('c2', rules)]);
    createFileSharing(fake.workspace);
    fake.open('c1');
    choose([new File(['MZ'], 'setup.exe')]);
    expect($('file-error')?.textContent).toBe('setup.exe cannot be sent: this type of file is not accepted. Allowed: .pdf, .png.');
    expect($('file-error')?.hidden).toBe(false);
    setLanguage('fr');
    choose([new File([new Uint8Array(2048)], 'big.pdf')]);
    expect($('file-error')?.textContent).toBe('big.pdf est trop volumineux. Les fichiers peuvent faire au plus 1 KB.');
    expect(document.querySelectorAll('[data-testid="upload"]')).toHaveLength(0);
    fake.open('c2');
    expect($('file-error')?.hidden).toBe(true);
  });
});

describe('file helpers', () => {
  beforeEach(() => setLanguage('en'));

  it('check, format and address files', () => {
    expect(checkFile('a.PDF', 10, rules)).toBeNull();
    expect(checkFile('a.pdf', 0, rules)).toBe('empty');
    expect(checkFile('a.pdf', 1025, rules)).toBe('too_large');
    expect(checkFile('a', 10, rules)).toBe('type_not_allowed');
    expect(formatFileSize(2.5 * 1024 * 1024, 'fr')).toBe('2,5 MB');
    expect(fileUploadUrl('c/1', 'a b&c.pdf')).toBe('/api/files/conversations/c%2F1?name=a%20b%26c.pdf');
    expect(fileDownloadUrl('f1')).toBe('/api/files/f1');
    expect(toFileErrorCode({ code: 'scan_rejected' })).toBe('scan_rejected');
    expect(toFileErrorCode({ code: 'other' })).toBe('failed');
    expect(fileErrorText('scan_rejected', 'x.pdf', rules)).toBe('x.pdf was refused by the virus scan.');
  });

  it('accepts messages with a well-formed file only', () => {
    const message = { conversationId: 'c', sequence: 1, clientMessageId: 'x', authorKind: 'visitor', authorName: null, text: 'a.pdf', sentAt: AT };
    const file = { id: '0193f2a4-0000-7000-8000-000000000001', name: 'a.pdf', size: 3, contentType: 'application/pdf' };
    expect(isMessageDto({ ...message, file })).toBe(true);
    expect(isMessageDto({ ...message, file: null })).toBe(true);
    expect(isMessageDto(message)).toBe(true);
    expect(isMessageDto({ ...message, file: { ...file, id: '../admin' } })).toBe(false);
  });
});
