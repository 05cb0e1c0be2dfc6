// Reads a small application/x-www-form-urlencoded request body from a uWS response.
import type { HttpResponse } from 'uWebSockets.js';

/** Forms on these pages are a few hundred bytes; anything much larger is refused. */
const MAX_FORM_BYTES = 8 * 1024;

/** Why a form could not be read; the route answers 400 (or nothing, when the client left). */
export class FormError extends Error {
  override name = 'FormError';
}

/**
 * Collects the request body and parses it as a URL-encoded form. Call it before the handler's
 * first `await` (uWS needs `onData` registered while the request is being handled).
 * @param res the handler's response
 * @param contentType the request's Content-Type header, read from `req` beforehand
 */
export function readForm(res: HttpResponse, contentType: string): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    if (contentType.split(';')[0]!.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
      // Still drain the body, so that the connection stays usable.
      res.onData(() => {});
      reject(new FormError('expected a URL-encoded form'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.onAborted(() => reject(new FormError('the client went away')));
    res.onData((chunk, isLast) => {
      if (size > MAX_FORM_BYTES) return;
      size += chunk.byteLength;
      if (size > MAX_FORM_BYTES) {
        reject(new FormError('form too large'));
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this call
      if (isLast) resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    });
  });
}
