// What the demo keeps in a session.

/** Session values of the demo. The user id itself is `session.userId`, set by `session.login()`. */
export interface DemoData {
  /** The browser's User-Agent at login, shown in the device list. */
  device: string;
  /** The CSRF token every form of a signed-in page must echo. */
  csrf: string;
}
