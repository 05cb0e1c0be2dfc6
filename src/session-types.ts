// The public types of a session's data and status.

/** What happened to a session during this request. */
export type SessionStatus = 'unmodified' | 'modified' | 'destroyed';

/** The shape of session data; declare your own to type `get` and `put`. */
export type SessionData = Record<string, unknown>;

/** Keys of a declared session shape. */
export type SessionKey<Data> = Extract<keyof Data, string>;
