// The /activity page: the signed-in user's recent activity, this device's entries marked.
import type { ActivityEntry, ActivityKind } from './activity.js';
import { deviceName } from './device.js';
import { html } from './html.js';
import { layout, time } from './pages.js';

const TEXT: Record<ActivityKind, string> = {
  'signed-in': 'Signed in',
  'signed-out': 'Signed out',
  'signed-out-elsewhere': 'Logged out from another device',
  'signed-out-limit': 'Logged out: signed in on too many devices',
  expired: 'Session expired',
};

/** `deviceOf`: the User-Agent of a session handle, when the app knows it. */
export function activityPage(
  userId: string,
  entries: readonly ActivityEntry[],
  currentHandle: string,
  deviceOf: (handle: string) => string | undefined,
): string {
  const items = entries.map((entry) => {
    const current = entry.handle === currentHandle;
    const device = deviceOf(entry.handle);
    return html`<li class="device activity ${entry.kind}${current ? ' current' : ''}"${current && html` aria-current="true"`}>
<div class="what">
<strong>${TEXT[entry.kind]}</strong>${current && html` <span class="badge">This device</span>`}
<div class="ua">${device === undefined ? 'A device no longer signed in' : deviceName(device)}</div>
<div class="when">${time(entry.at)}</div>
</div>
</li>`;
  });
  return layout(
    'Recent activity',
    html`<header>
<p>Signed in as <strong class="user">${userId}</strong></p>
<p><a href="/devices">Your devices</a></p>
</header>
<h1>Recent activity</h1>
<p class="note">Sign-ins and sign-outs of your account since the server started, newest first.</p>
${entries.length === 0 ? html`<p>Nothing yet.</p>` : html`<ul class="devices">${items}</ul>`}`,
  );
}
