// One app process on RedisStore: start several (on several machines, in a real deployment) and any of them serves any session.
import { Redis } from 'ioredis';
import uWS from 'uWebSockets.js';
import { SessionManager } from '../../src/index.js';
import { uwsSessions } from '../../src/adapters/uws.js';
import { RedisStore } from '../../src/stores/redis.js';

const port = Number(process.env.PORT ?? 4000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.KEY_PREFIX ?? 'scs:session:';

const client = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
client.on('error', (error) => console.error('redis-nodes: redis:', error.message));
await client.connect(); // without the offline queue, serve only once the client is ready

const store = new RedisStore({ client, prefix, timeout: 2000 });
const sessions = new SessionManager<{ name: string }>({ store });
const withSession = uwsSessions(sessions);
const servedBy = String(process.pid); // which process answered, to see requests spread

const app = uWS
  .App()
  .post(
    '/login',
    withSession(async (res, req, session) => {
      const user = new URLSearchParams(req.getQuery()).get('user') ?? ''; // read req before the first await
      // ... check the user's password first ...
      await session.login(user); // a new token, bound to the user: the old one is refused by every process
      session.put('name', user);
      res.cork(() => res.writeHeader('X-Served-By', servedBy).end(`logged in as ${user}`));
    }),
  )
  .get(
    '/me',
    withSession((res, _req, session) => {
      res.writeHeader('X-Served-By', servedBy);
      if (session.userId === undefined) res.writeStatus('401 Unauthorized').end('not logged in');
      else res.end(`you are ${session.getString('name')}`);
    }),
  )
  .post(
    '/logout',
    withSession(async (res, _req, session) => {
      await session.destroy(); // deleted from Redis: every process refuses the token from now on
      res.cork(() => res.writeHeader('X-Served-By', servedBy).end('logged out'));
    }),
  )
  .any('/*', (res) => {
    res.writeStatus('404 Not Found').end('Not Found');
  });

app.listen('127.0.0.1', port, (listenSocket) => {
  if (listenSocket === false) {
    console.error(`redis-nodes: cannot listen on port ${port}`);
    process.exit(1);
  }
  console.log(`redis-nodes: app ${servedBy} listening on http://127.0.0.1:${uWS.us_socket_local_port(listenSocket)}`);
  const stop = (): void => {
    uWS.us_listen_socket_close(listenSocket);
    store.close(); // the store's own timers; the client is ours to end
    client.quit().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
