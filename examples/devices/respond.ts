// Writing the demo's responses: HTML pages with security headers, and 303 redirects after a POST.
import type { HttpResponse } from 'uWebSockets.js';

/** No scripts, styles only from /style.css, forms only to this site, never framed. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Sends a complete HTML page. Pages show per-user data, so nothing may cache them. */
export function sendPage(res: HttpResponse, status: string, page: string): void {
  res
    .writeStatus(status)
    .writeHeader('Content-Type', 'text/html; charset=utf-8')
    .writeHeader('Cache-Control', 'no-store')
    .writeHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .writeHeader('X-Content-Type-Options', 'nosniff')
    .writeHeader('Referrer-Policy', 'same-origin')
    .end(page);
}

/** Redirects with 303 See Other: after a POST, the browser loads `location` with a GET. */
export function redirect(res: HttpResponse, location: string): void {
  res.writeStatus('303 See Other').writeHeader('Location', location).writeHeader('Cache-Control', 'no-store').end();
}
