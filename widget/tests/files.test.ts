import { describe, expect, it } from 'vitest';
import { acceptAttribute, checkFile, extensionOf, fileErrorMessage, formatSize, toFileErrorCode } from '../src/files';
import { getMessages } from '../src/i18n';
import { toFileRules, toMessageDto, toSessionResponse, toSharedFile } from '../src/protocol';

const rules = { maxBytes: 10 * 1024 * 1024, allowedTypes: ['png', 'pdf', 'txt'] };
const FILE_ID = '0193f2a4-0000-7000-8000-000000000001';

describe('file checks before upload', () => {
  it('refuses what the server would refuse, by extension, emptiness and size', () => {
    expect(checkFile('photo.PNG', 1000, rules)).toBeNull();
    expect(checkFile('setup.exe', 1000, rules)).toBe('type_not_allowed');
    expect(checkFile('README', 1000, rules)).toBe('type_not_allowed');
    expect(checkFile('empty.txt', 0, rules)).toBe('empty');
    expect(checkFile('big.pdf', rules.maxBytes, rules)).toBeNull();
    expect(checkFile('big.pdf', rules.maxBytes + 1, rules)).toBe('too_large');
    expect(checkFile('a.pdf', 1, { maxBytes: 0, allowedTypes: [] })).toBe('type_not_allowed');
  });

  it('reads extensions, accept lists and sizes', () => {
    expect(extensionOf('archive.tar.GZ')).toBe('gz');
    expect(extensionOf('.bashrc')).toBe('');
    expect(acceptAttribute(rules)).toBe('.png,.pdf,.txt');
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(1536, 'en')).toBe('1.5 KB');
    expect(formatSize(10 * 1024 * 1024, 'fr')).toBe('10 MB');
    expect(formatSize(1.25 * 1024 * 1024, 'fr')).toBe('1,3 MB');
  });

  it('translates the server codes and falls back for anything else', () => {
    expect(toFileErrorCode({ code: 'too_large', detail: 'x' })).toBe('too_large');
    expect(toFileErrorCode({ code: 'made_up' })).toBe('failed');
    expect(toFileErrorCode(null)).toBe('failed');
    expect(fileErrorMessage(getMessages('en'), 'too_large', 'big.pdf', rules, 'en')).toBe('big.pdf is too large. Files can be at most 10 MB.');
    expect(fileErrorMessage(getMessages('fr'), 'type_not_allowed', 'a.exe', rules, 'fr')).toContain('Acceptés : .png, .pdf, .txt.');
    expect(fileErrorMessage(getMessages('fr'), 'scan_rejected', 'a.pdf', rules, 'fr')).toBe('a.pdf a été refusé par l’analyse antivirus.');
  });
});

describe('file payload guards', () => {
  it('keeps a well-formed file and drops one whose id could not go into a URL', () => {
    const file = { id: FILE_ID, name: 'a.pdf', size: 12, contentType: 'application/pdf' };
    expect(toSharedFile(file)).toEqual(file);
    expect(toSharedFile({ ...file, id: '../../api/admin' })).toBeNull();
    expect(toSharedFile({ ...file, name: 3 })).toBeNull();
    expect(toSharedFile({ ...file, size: -1 })?.size).toBe(0);
    const message = { conversationId: 'c', sequence: 1, clientMessageId: 'x', authorKind: 'visitor', authorName: null, text: 'a.pdf', sentAt: 's' };
    expect(toMessageDto({ ...message, file })?.file).toEqual(file);
    expect(toMessageDto(message)?.file).toBeNull();
  });

  it('reads the site file rules, allowing nothing when they are missing or odd', () => {
    expect(toFileRules({ maxBytes: 1024, allowedTypes: ['pdf', '../x', 7] })).toEqual({ maxBytes: 1024, allowedTypes: ['pdf'] });
    expect(toFileRules(undefined)).toEqual({ maxBytes: 0, allowedTypes: [] });
    expect(toSessionResponse({ visitorToken: 't', site: { key: 'demo', files: rules } })?.site.files).toEqual(rules);
  });
});
