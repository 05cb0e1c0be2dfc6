import { describe, expectTypeOf, it } from 'vitest';
import { SessionManager, type CommitResult, type Session, type SessionStatus } from '../../src/index.js';

interface AppData {
  userId: number;
  roles: string[];
  flash?: string;
}

describe('SessionManager<Data> types', () => {
  const manager = new SessionManager<AppData>();

  it('types get and put by declared keys', async () => {
    const session = await manager.load('token');
    expectTypeOf(session).toEqualTypeOf<Session<AppData>>();
    expectTypeOf(session.get('userId')).toEqualTypeOf<number | undefined>();
    expectTypeOf(session.get('roles')).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(session.pop('flash')).toEqualTypeOf<string | undefined>();
    session.put('userId', 7);
    // @ts-expect-error userId is a number
    session.put('userId', 'seven');
    // @ts-expect-error undeclared key
    session.get('nope');
    expectTypeOf(session.keys()).toEqualTypeOf<Array<'userId' | 'roles' | 'flash'>>();
    expectTypeOf(session.status).toEqualTypeOf<SessionStatus>();
    expectTypeOf(manager.commit(session)).resolves.toEqualTypeOf<CommitResult>();
  });

  it('leaves values unknown without a declared shape', async () => {
    const untyped = new SessionManager();
    const session = await untyped.load();
    expectTypeOf(session.get('anything')).toEqualTypeOf<unknown>();
    expectTypeOf(session.getString('anything')).toEqualTypeOf<string>();
    expectTypeOf(session.getDate('anything')).toEqualTypeOf<Date | undefined>();
    session.put('anything', new Map([[1, 2]]));
  });

  it('iterate hands out typed sessions', () => {
    void manager.iterate((session) => {
      expectTypeOf(session.get('userId')).toEqualTypeOf<number | undefined>();
    });
  });
});
