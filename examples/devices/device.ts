// A short, human name for a browser from its User-Agent header ("Firefox on Windows").

function browserName(ua: string): string {
  if (/\bEdg(e|A|iOS)?\//.test(ua)) return 'Edge';
  if (/\bFirefox\//.test(ua)) return 'Firefox';
  if (/\bHeadlessChrome\//.test(ua)) return 'Headless Chrome';
  if (/\bChromium\//.test(ua)) return 'Chromium';
  if (/\b(Chrome|CriOS)\//.test(ua)) return 'Chrome';
  if (/\bSafari\//.test(ua) && /\bVersion\//.test(ua)) return 'Safari';
  if (/^curl\//.test(ua)) return 'curl';
  return 'Unknown browser';
}

function systemName(ua: string): string | undefined {
  if (/\bWindows\b/.test(ua)) return 'Windows';
  if (/\bAndroid\b/.test(ua)) return 'Android';
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return 'iOS';
  if (/\bMac OS X\b/.test(ua)) return 'macOS';
  if (/\bCrOS\b/.test(ua)) return 'ChromeOS';
  if (/\bLinux\b/.test(ua)) return 'Linux';
  return undefined;
}

/** "Browser on System" for a User-Agent header, or "Unknown device" when there is none. */
export function deviceName(userAgent: string): string {
  if (userAgent === '') return 'Unknown device';
  const system = systemName(userAgent);
  const browser = browserName(userAgent);
  return system === undefined ? browser : `${browser} on ${system}`;
}
