// The cycle suite's operations, one request's worth of session work each, shared by the timing and allocation children.
import { subscribe, tracingChannel } from 'node:diagnostics_channel';
import { Packr } from 'msgpackr';
import { channels } from '../src/events.js';
import { SessionManager } from '../src/manager.js';
import type { Session } from '../src/session.js';
import type { Store } from '../src/store.js';
import { generateToken } from '../src/token.js';
import { withoutCommitIf } from './merge-off.js';
import { RECORD_ENTRIES, recordValues, seedSession } from './record.js';

/** One benchmark operation. `op` runs once and returns a promise only when something was async. */
export interface CycleCase {
  id: string;
  label: string;
  op: () => unknown;
}

export const CASE_LABELS: Record<string, string> = {
  read: 'read cycle (load + get)',
  'read-crowded': 'read cycle, 99 999 other sessions in the store',
  write: 'write cycle (load + put + commit)',
  'write-spread': 'write cycle over 64 sessions (uncontended: one session per request in flight)',
  'write-spread-lww': 'write cycle over 64 sessions, merge off (a store without commitIf: last writer wins)',
  new: 'new-session cycle (load, no token + put + commit)',
  renew: 'renew (load + renewToken + commit)',
  'read-observed': 'read cycle, with a subscriber on every sessionkit channel',
  'write-observed': 'write cycle, with a subscriber on every sessionkit channel',
  'store-find': 'store.find of the record (no manager)',
  'store-commit': 'store.commit of the record (no manager)',
  'floor-msgpack': 'floor: msgpackr pack + unpack of the record',
  'floor-map': 'floor: Map get + set',
  'part-cookie-parse': 'part: tokenFromCookie (Cookie header scan + shape check)',
  'part-set-cookie': 'part: setCookieHeader (persistent cookie)',
};

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/** Write cycles spread over `count` sessions in turn, so that requests in flight never share one. */
async function spreadWriteCase(id: string, store: Store, count: number): Promise<CycleCase> {
  const manager = new SessionManager({ store });
  const tokens: string[] = [];
  for (let k = 0; k < count; k++) tokens.push(await seedSession(manager));
  let turn = 0;
  let counter = 0;
  const putAndSave = (session: Session): unknown => {
    session.put('counter', ++counter);
    return manager.saveNow(session);
  };
  return {
    id,
    label: CASE_LABELS[id]!,
    op: () => {
      const session = manager.loadNow(tokens[turn++ % count]!);
      return isPromise(session) ? session.then(putAndSave) : putAndSave(session);
    },
  };
}

/** The session cycles against one store. Sessions created by the new-session cycle expire after 10 minutes. */
export async function sessionCases(store: Store): Promise<CycleCase[]> {
  const manager = new SessionManager({ store });
  const shortLived = new SessionManager({ store, lifetime: 10 * 60 * 1000 });
  const readToken = await seedSession(manager);
  const writeToken = await seedSession(manager);
  let renewToken = await seedSession(manager);
  const rawToken = await seedSession(manager);
  const rawBytes = manager.codec.encode(Date.now() + 86_400_000, recordValues());
  let counter = 0;

  const getUser = (session: Session): unknown => session.get('userId');
  const putAndSave = (session: Session): unknown => {
    session.put('counter', ++counter);
    return manager.saveNow(session);
  };
  const putNewAndSave = (session: Session): unknown => {
    session.put('flash', 'Hello from a session!');
    return shortLived.saveNow(session);
  };
  const renew = async (): Promise<void> => {
    const session = await manager.loadNow(renewToken);
    await session.renewToken();
    await manager.saveNow(session);
    renewToken = session.token;
  };

  return [
    {
      id: 'read',
      label: CASE_LABELS.read!,
      op: () => {
        const session = manager.loadNow(readToken);
        return isPromise(session) ? session.then(getUser) : getUser(session);
      },
    },
    {
      id: 'write',
      label: CASE_LABELS.write!,
      op: () => {
        const session = manager.loadNow(writeToken);
        return isPromise(session) ? session.then(putAndSave) : putAndSave(session);
      },
    },
    {
      id: 'new',
      label: CASE_LABELS.new!,
      op: () => {
        const session = shortLived.loadNow(undefined);
        return isPromise(session) ? session.then(putNewAndSave) : putNewAndSave(session);
      },
    },
    await spreadWriteCase('write-spread', store, 64),
    await spreadWriteCase('write-spread-lww', withoutCommitIf(store), 64),
    { id: 'renew', label: CASE_LABELS.renew!, op: renew },
    { id: 'store-find', label: CASE_LABELS['store-find']!, op: () => store.find(rawToken) },
    { id: 'store-commit', label: CASE_LABELS['store-commit']!, op: () => store.commit(rawToken, rawBytes, Date.now() + 86_400_000) },
  ];
}

/**
 * The read cycle against a store that already holds `others` sessions (a default-sized MemoryStore
 * near its bound): shows costs that grow with the store, which the one-session cases hide.
 */
export async function crowdedReadCase(store: Store, others: number): Promise<CycleCase> {
  const manager = new SessionManager({ store });
  const bytes = manager.codec.encode(Date.now() + 86_400_000, recordValues());
  const expiresAt = Date.now() + 86_400_000;
  const pending: unknown[] = [];
  for (let k = 0; k < others; k++) pending.push(store.commit(generateToken(), bytes, expiresAt));
  await Promise.all(pending);
  const token = await seedSession(manager);
  const getUser = (session: Session): unknown => session.get('userId');
  return {
    id: 'read-crowded',
    label: CASE_LABELS['read-crowded']!,
    op: () => {
      const session = manager.loadNow(token);
      return isPromise(session) ? session.then(getUser) : getUser(session);
    },
  };
}

/**
 * The read and write cycles with a no-op subscriber on every lifecycle and tracing channel, which
 * stays subscribed for the rest of the process: run them last. Their rows against `read` and
 * `write` are what subscribing costs; `read` and `write` against earlier results are what the
 * publish points cost with nobody subscribed.
 */
export async function observedCases(store: Store): Promise<CycleCase[]> {
  const ignore = (): void => undefined;
  for (const name of Object.values(channels)) {
    if (name === channels.load || name === channels.commit) {
      tracingChannel(name).subscribe({ start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore });
    } else subscribe(name, ignore);
  }
  const cases = await sessionCases(store);
  return ['read', 'write'].map((id) => {
    const { op } = cases.find((c) => c.id === id)!;
    return { id: `${id}-observed`, label: CASE_LABELS[`${id}-observed`]!, op };
  });
}

/** The floors (what a session cycle cannot go below) and the per-request parts an adapter adds. */
export async function floorCases(): Promise<CycleCase[]> {
  // The same encoder settings as msgpackCodec, on the same [deadline, values] record.
  const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });
  const deadline = Date.now() + 86_400_000;
  const values = recordValues();
  const map = new Map<string, unknown>(RECORD_ENTRIES);
  const keys = ['userId', 'roles', 'flash', 'counter', 'loginAt'];
  let i = 0;

  const manager = new SessionManager();
  const token = await seedSession(manager);
  const cookieHeader = `theme=dark; _ga=GA1.2.1234567890.1234567890; session=${token}; lang=en`;
  const session = await manager.load(token);
  session.put('counter', 1);
  manager.saveNow(session);

  return [
    { id: 'floor-msgpack', label: CASE_LABELS['floor-msgpack']!, op: () => packr.unpack(packr.pack([deadline, values])) },
    {
      id: 'floor-map',
      label: CASE_LABELS['floor-map']!,
      op: () => {
        const key = keys[i++ & 3]!;
        map.set(key, map.get(key));
      },
    },
    { id: 'part-cookie-parse', label: CASE_LABELS['part-cookie-parse']!, op: () => manager.tokenFromCookie(cookieHeader) },
    { id: 'part-set-cookie', label: CASE_LABELS['part-set-cookie']!, op: () => manager.setCookieHeader(session, 1) },
  ];
}

/** Size of the encoded record in bytes (the write cycle's allowance is 1 KiB beyond it). */
export function encodedRecordSize(): number {
  const manager = new SessionManager();
  return manager.codec.encode(Date.now() + 86_400_000, recordValues()).byteLength;
}

/** The most the read cycle may allocate on MemoryStore, bytes per op (a goal, and a guard in the test suite). */
export const READ_CYCLE_BUDGET = 128;

/** The most the write cycle may allocate on MemoryStore, bytes per op: 1 KiB beyond the encoded record. */
export function writeCycleBudget(): number {
  return 1024 + encodedRecordSize();
}
