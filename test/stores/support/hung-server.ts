// Test support: TCP servers that hang: one that accepts and never answers, and a proxy to a real server that can be frozen.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface HungServer {
  readonly port: number;
  /** Closes the server and every connection it accepted (the clients then see the connection drop). */
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** A server that accepts every connection and never sends a byte: a database that hangs before its greeting. */
export async function startSilentServer(): Promise<HungServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return { port: await listen(server), close: closer(server, sockets) };
}

export interface FreezableProxy extends HungServer {
  /** From now on nothing passes either way and new connections wait, as with a server stopped by SIGSTOP. */
  freeze(): void;
  /** Delivers what was held, in order, and passes traffic again. */
  thaw(): void;
}

/** A TCP proxy to `targetHost`:`targetPort` that can be frozen and thawed. */
export async function startFreezableProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FreezableProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  let held: [Socket, Buffer][] = [];
  const track = (socket: Socket, other: () => Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      other().destroy();
    });
  };
  const server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(client, () => upstream);
    track(upstream, () => client);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (frozen) held.push([to, chunk]);
        else to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
  });
  return {
    port: await listen(server),
    close: closer(server, sockets),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      const pending = held;
      held = [];
      for (const [to, chunk] of pending) if (!to.destroyed) to.write(chunk);
    },
  };
}
