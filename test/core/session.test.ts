import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionManager } from '../../src/index.js';

const manager = new SessionManager();

describe('Session data operations', () => {
  it('put, get, exists, remove and pop', async () => {
    const session = await manager.load();
    expect(session.status).toBe('unmodified');
    session.put('a', 1);
    expect(session.status).toBe('modified');
    expect(session.get('a')).toBe(1);
    expect(session.exists('a')).toBe(true);
    expect(session.pop('a')).toBe(1);
    expect(session.exists('a')).toBe(false);
    expect(session.pop('a')).toBeUndefined();
    session.put('b', 2);
    session.remove('b');
    expect(session.get('b')).toBeUndefined();
  });

  it('does not mark the session modified for a no-op remove, pop, or clear', async () => {
    const session = await manager.load();
    session.remove('missing');
    session.pop('missing');
    session.clear();
    expect(session.status).toBe('unmodified');
  });

  it('lists keys sorted, without the rememberMe flag', async () => {
    const session = await manager.load();
    session.put('zeta', 1);
    session.put('alpha', 2);
    session.put('Mid', 3);
    session.rememberMe(true);
    expect(session.keys()).toEqual(['Mid', 'alpha', 'zeta']);
    session.clear();
    expect(session.keys()).toEqual([]);
    expect(session.status).toBe('modified');
  });

  it('typed getters give the value of the right type, else the zero value', async () => {
    const session = await manager.load();
    const date = new Date(1700000000000);
    session.put('s', 'str');
    session.put('n', 42);
    session.put('b', true);
    session.put('bytes', Uint8Array.of(1, 2));
    session.put('d', date);
    session.put('bad date', new Date(Number.NaN));
    expect(session.getString('s')).toBe('str');
    expect(session.getNumber('n')).toBe(42);
    expect(session.getBool('b')).toBe(true);
    expect(session.getBytes('bytes')).toEqual(Uint8Array.of(1, 2));
    expect(session.getDate('d')).toBe(date);
    for (const key of ['missing', 's', 'n', 'b']) {
      if (key !== 's') expect(session.getString(key)).toBe('');
      if (key !== 'n') expect(session.getNumber(key)).toBe(0);
      if (key !== 'b') expect(session.getBool(key)).toBe(false);
      expect(session.getBytes(key)).toEqual(new Uint8Array(0));
      expect(session.getDate(key)).toBeUndefined();
    }
    expect(session.getDate('bad date')).toBeUndefined();
    session.put('numeric string', '1');
    expect(session.getNumber('numeric string')).toBe(0);
  });

  it('typed pops return the value and remove the key, or the zero value', async () => {
    const session = await manager.load();
    session.put('s', 'x');
    session.put('n', 1);
    session.put('b', true);
    session.put('y', Uint8Array.of(9));
    session.put('d', new Date(5));
    expect(session.popString('s')).toBe('x');
    expect(session.popNumber('n')).toBe(1);
    expect(session.popBool('b')).toBe(true);
    expect(session.popBytes('y')).toEqual(Uint8Array.of(9));
    expect(session.popDate('d')).toEqual(new Date(5));
    expect(session.keys()).toEqual([]);
    expect(session.popString('s')).toBe('');
    expect(session.popNumber('n')).toBe(0);
    expect(session.popBool('b')).toBe(false);
    expect(session.popBytes('y')).toEqual(new Uint8Array(0));
    expect(session.popDate('d')).toBeUndefined();
  });

  it('setDeadline moves the deadline and marks the session modified; nonsense is refused', async () => {
    const session = await manager.load();
    session.setDeadline(Date.now() + 5000);
    expect(session.status).toBe('modified');
    expect(() => session.setDeadline(Number.NaN)).toThrow(TypeError);
  });
});

describe('Sessions that share a decoded record', () => {
  it('keep their own values and deadline while another request on the same session commits', async () => {
    const sessions = new SessionManager({ store: new MemoryStore({ sweepInterval: 0 }) });
    const first = await sessions.load();
    first.put('colour', 'red');
    const { token } = await sessions.commit(first);
    const a = await sessions.load(token);
    const b = await sessions.load(token);
    const deadline = a.deadline;
    b.put('colour', 'blue');
    b.setDeadline(deadline + 60_000);
    await sessions.commit(b);
    expect(a.get('colour')).toBe('red');
    expect(a.deadline).toBe(deadline);
    expect(a.status).toBe('unmodified');
    const c = await sessions.load(token);
    expect(c.get('colour')).toBe('blue');
    expect(c.deadline).toBe(deadline + 60_000);
  });

  it('a change after a commit leaves what other requests load untouched until it is committed', async () => {
    const sessions = new SessionManager({ store: new MemoryStore({ sweepInterval: 0 }) });
    const session = await sessions.load();
    session.put('colour', 'red');
    const { token } = await sessions.commit(session);
    const deadline = session.deadline;
    session.put('colour', 'green');
    session.setDeadline(deadline + 1);
    const other = await sessions.load(token);
    expect(other.get('colour')).toBe('red');
    expect(other.deadline).toBe(deadline);
    await sessions.commit(session);
    expect((await sessions.load(token)).get('colour')).toBe('green');
    expect(other.get('colour')).toBe('red');
  });
});
