// One HTTP request over a keep-alive agent to the loopback soak server, as a plain result: status or error kind.
import { request as httpRequest, type Agent } from 'node:http';

/** How a request ended: a status with body and cookie, or an error kind (`ECONNRESET`, `no answer`, ...). */
export type Outcome = { status: number; body: string; cookie: string | undefined } | { status: undefined; error: string };

/**
 * Sends one request and resolves (never rejects) with its outcome; a request not answered within
 * `timeout` ms is abandoned as `no answer`.
 */
export function send(
  agent: Agent,
  port: number,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  cookie: string | undefined,
  timeout: number,
  body?: Uint8Array,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-length': String(body?.length ?? 0) };
    if (cookie !== undefined) headers.cookie = cookie;
    const req = httpRequest({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookie: sessionCookie(res.headers['set-cookie']) }));
      res.on('error', (error) => resolve({ status: undefined, error: errorKind(error) }));
    });
    req.setTimeout(timeout, () => {
      req.destroy();
      resolve({ status: undefined, error: 'no answer' });
    });
    req.on('error', (error) => resolve({ status: undefined, error: errorKind(error) }));
    req.end(body);
  });
}

function errorKind(error: Error & { code?: string }): string {
  return error.code ?? error.message;
}

/** `name=value` of the first Set-Cookie, the form a Cookie header sends back. */
function sessionCookie(setCookie: string[] | undefined): string | undefined {
  const first = setCookie?.[0];
  if (first === undefined) return undefined;
  return first.split(';', 1)[0]!.trim();
}
