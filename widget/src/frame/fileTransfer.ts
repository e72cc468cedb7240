// Sending and fetching chat files from the frame. The frame is served by
// ChatDesk, so these are same-origin requests, authenticated like the hub: the
// visitor token as a bearer token (never a cookie).

import { toFileErrorCode, type FileErrorCode } from '../files';
import { toMessageDto, type MessageDto } from '../protocol';

export type UploadResult = { ok: true; message: MessageDto } | { ok: false; code: FileErrorCode };

/**
 * POST /api/files/visitor: the body is the file itself. XMLHttpRequest, not
 * fetch, because only it reports upload progress.
 */
export function uploadFile(file: File, token: string, onProgress: (fraction: number) => void): Promise<UploadResult> {
  return new Promise((resolve) => {
    const url = new URL('../api/files/visitor', window.location.href);
    url.searchParams.set('name', file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url.toString());
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      const message = xhr.status >= 200 && xhr.status < 300 ? toMessageDto(xhr.response) : null;
      resolve(message ? { ok: true, message } : { ok: false, code: toFileErrorCode(xhr.response) });
    });
    xhr.addEventListener('error', () => resolve({ ok: false, code: 'failed' }));
    xhr.addEventListener('abort', () => resolve({ ok: false, code: 'failed' }));
    xhr.send(file);
  });
}

/** GET /api/files/visitor/{id} with the token, then handed to the browser as a download. */
export async function downloadFile(fileId: string, token: string): Promise<{ ok: true; blob: Blob } | { ok: false; code: FileErrorCode }> {
  try {
    const res = await fetch(new URL(`../api/files/visitor/${encodeURIComponent(fileId)}`, window.location.href), {
      headers: { Authorization: `Bearer ${token}` },
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!res.ok) {
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        /* not JSON */
      }
      return { ok: false, code: toFileErrorCode(body) };
    }
    return { ok: true, blob: await res.blob() };
  } catch {
    return { ok: false, code: 'failed' };
  }
}
