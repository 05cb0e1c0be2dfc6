// What the demo keeps in a session.

/** Session values of the demo. The user id itself is `session.userId`, set by `session.login()`. */
export interface DemoData {
  /** The browser's User-Agent at login, shown in the device list. */
  device: string;
  /** The CSRF token every form must echo. */
  csrf: string;
  /** A one-time message for the next page (a failed login). */
  flash: string;
}
