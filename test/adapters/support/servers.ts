// Starts uWS, node:http and Express servers on ephemeral ports for the adapter tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import uWS from 'uWebSockets.js';

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** A uWS app on 127.0.0.1:0; `setup` registers its routes. */
export function startUws(setup: (app: uWS.TemplatedApp) => void): Promise<Running> {
  const app = uWS.App();
  setup(app);
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) => {
      if (socket === false) return reject(new Error('uWS could not listen'));
      resolve({
        url: `http://127.0.0.1:${uWS.us_socket_local_port(socket)}`,
        close: async () => uWS.us_listen_socket_close(socket),
      });
    });
  });
}

/** A node:http server on 127.0.0.1:0. */
export function startNode(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Running> {
  const server = createServer(handler);
  return listen(server);
}

/** An Express app on 127.0.0.1:0: Express 5, or Express 4 with `version: 4`. */
export function startExpress(setup: (app: express.Express) => void, version: 4 | 5 = 5): Promise<Running> {
  const app = version === 4 ? express4() : express();
  setup(app);
  return listen(createServer(app));
}

function listen(server: ReturnType<typeof createServer>): Promise<Running> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
