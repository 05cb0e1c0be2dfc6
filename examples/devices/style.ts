// The demo's stylesheet, served at /style.css (the Content-Security-Policy allows no inline styles).

export const STYLESHEET = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --line: #d1d5db; --danger: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 0.25rem; }
header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid var(--line); padding-bottom: 0.5rem; }
header p { margin: 0; }
.note { color: var(--muted); }
.flash { border: 1px solid var(--danger); color: var(--danger); padding: 0.5rem 0.75rem; border-radius: 6px; }
.card { display: grid; gap: 0.75rem; max-width: 22rem; }
label { display: grid; gap: 0.25rem; font-weight: 600; }
input { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid var(--line); border-radius: 6px; }
button { font: inherit; padding: 0.35rem 0.9rem; border: 1px solid var(--accent); border-radius: 6px; background: var(--accent); color: white; cursor: pointer; }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
.devices { list-style: none; padding: 0; margin: 1rem 0; border: 1px solid var(--line); border-radius: 8px; }
.device { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: 0.75rem 1rem; }
.device + .device { border-top: 1px solid var(--line); }
.device.current { background: color-mix(in srgb, var(--accent) 8%, transparent); }
.device .what { min-width: 0; }
.device form { flex-shrink: 0; }
.device button { background: transparent; color: var(--accent); white-space: nowrap; }
.badge { font-size: 0.75rem; font-weight: 600; color: white; background: var(--accent); border-radius: 999px; padding: 0.1rem 0.5rem; margin-left: 0.4rem; vertical-align: 0.1rem; }
.ua { color: var(--muted); font-size: 0.8rem; overflow-wrap: anywhere; }
.when { font-size: 0.9rem; }
`;
