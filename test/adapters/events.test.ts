// Lifecycle events and tracing through every adapter: each request that creates, renews or destroys a session publishes it once, and no payload holds the token or a value.
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { EventRecorder, findSecrets } from '../../src/testing/event-recorder.js';
import type { AppData } from './support/app.js';
import { CookieJar } from './support/jar.js';
import { adapterCases, type Running } from './support/servers.js';
import { makeStore } from '../support/store.js';

const VALUE = 'a-value-no-payload-may-carry-91c2';

describe.each(adapterCases)('%s', (_title, { server: adapter, store: storeKind }) => {
  let server: Running | undefined;
  let recorder: EventRecorder | undefined;
  afterEach(async () => {
    recorder?.stop();
    await server?.close();
    server = undefined;
  });

  it('publishes created, renewed and destroyed once per request that caused them, never a token or a value', async () => {
    const manager = new SessionManager<AppData>({ store: makeStore(storeKind) });
    server = await adapter.serve(manager, {});
    const jar = new CookieJar();
    const tokens: string[] = [];
    const seen = (): void => {
      const token = jar.cookies.get('session');
      if (token !== undefined) tokens.push(token);
    };
    recorder = new EventRecorder();
    await jar.fetch(`${server.url}/put?v=${VALUE}`);
    seen();
    await jar.fetch(`${server.url}/put?v=${VALUE}-2`);
    await jar.fetch(`${server.url}/renew`);
    seen();
    expect(await (await jar.fetch(`${server.url}/get`)).text()).toBe(`${VALUE}-2`);
    await jar.fetch(`${server.url}/destroy`);
    await jar.fetch(`${server.url}/get`);
    const counts = Object.fromEntries(
      ['created', 'renewed', 'login', 'destroyed', 'expired', 'merged', 'refused', 'storeError'].map((name) => [name, recorder!.of(name).length]),
    );
    expect(counts).toEqual({ created: 1, renewed: 1, login: 0, destroyed: 1, expired: 0, merged: 0, refused: 0, storeError: 0 });
    const handle = recorder.of('created')[0]!.handle;
    expect(handle).toEqual(expect.any(String));
    expect(recorder.of('renewed')).toEqual([{ store: 'TestStore', handle, userId: undefined }]);
    expect(recorder.of('destroyed')).toEqual([{ store: 'TestStore', handle, userId: undefined, reason: 'app' }]);
    // Six requests, each loads once; three of them commit (two puts and the renewal).
    expect(recorder.of('load.start')).toHaveLength(6);
    expect(recorder.of('commit.start')).toHaveLength(3);
    expect(recorder.of('commit.end').length + recorder.of('commit.asyncEnd').length).toBe(storeKind === 'MemoryStore' ? 3 : 6);
    expect(tokens).toHaveLength(2);
    expect(findSecrets(recorder.events, [...tokens, VALUE])).toEqual([]);
  });
});
