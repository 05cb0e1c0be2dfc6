// The demo's pages, rendered as strings of escaped HTML.
import type { SessionInfo } from './sessions-view.js';
import { deviceName } from './device.js';
import { html, type Html } from './html.js';

export function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · sessionkit devices demo</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.toString();
}

/** A time as "2025-05-01 14:03 UTC", inside a <time> element carrying the exact instant. */
export function time(ms: number): Html {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

/** The sign-in form. `message` is a one-time notice (a failed sign-in). */
export function loginPage(csrf: string, message: string): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p class="note">This is a demo: sign in with <strong>any username</strong> and the password <strong>demo</strong>.
Sign in as the same user from several browsers (or private windows) to see them listed as devices.</p>
${message !== '' && html`<p class="flash" role="alert">${message}</p>`}
<form method="post" action="/login" class="card">
<input type="hidden" name="csrf" value="${csrf}">
<label>Username <input name="username" autocomplete="username" required maxlength="64" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

function deviceItem(entry: SessionInfo, csrf: string): Html {
  return html`<li class="device${entry.current ? ' current' : ''}"${entry.current && html` aria-current="true"`}>
<div class="what">
<strong>${deviceName(entry.device)}</strong>${entry.current && html` <span class="badge">This device</span>`}
<div class="ua">${entry.device || 'No User-Agent sent'}</div>
<div class="when">Signed in ${time(entry.createdAt)} · expires ${time(entry.expiresAt)}</div>
</div>
${
  !entry.current &&
  html`<form method="post" action="/devices/logout">
<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="handle" value="${entry.handle}">
<button type="submit">Log out</button>
</form>`
}
</li>`;
}

/** The signed-in page: the user's sessions, this one marked, with the log-out buttons. */
export function devicesPage(userId: string, devices: readonly SessionInfo[], csrf: string): string {
  const others = devices.filter((entry) => !entry.current).length;
  return layout(
    'Your devices',
    html`<header>
<p>Signed in as <strong class="user">${userId}</strong></p>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Log out</button></form>
</header>
<h1>Your devices</h1>
<p><a href="/activity">Recent activity</a></p>
<p class="note">${devices.length === 1 ? 'You are signed in on 1 device.' : `You are signed in on ${devices.length} devices.`} Newest first.</p>
<ul class="devices">
${devices.map((entry) => deviceItem(entry, csrf))}
</ul>
${
  others > 0 &&
  html`<form method="post" action="/devices/logout-others">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="danger">Log out everywhere else</button>
</form>`
}`,
  );
}

/** A short error page with a way back. */
export function errorPage(title: string, text: string): string {
  return layout(title, html`<h1>${title}</h1><p>${text}</p><p><a href="/">Back to the start</a></p>`);
}
