// A raw-socket client that POSTs a large body and tells how much of it the server had taken when its answer came.
import { connect } from 'node:net';

export interface LargePost {
  status: number;
  body: string;
  /** Body bytes the server's kernel had accepted when the first byte of the answer arrived. */
  acceptedAtAnswer: number;
  /** Resolves with the body bytes accepted once the client has written them all (or the connection ended). */
  finished: Promise<number>;
  /** Closes the client's socket. */
  close(): void;
}

/** The buffer each client allocates (and holds while sending): a test measuring memory in this process subtracts it. */
export const CLIENT_CHUNK_BYTES = 256 * 1024;

/** POSTs `size` bytes of 'a' to `url` + `path` with `headers`; resolves once the whole answer arrived. */
export function postLargeBody(url: string, path: string, size: number, headers: Record<string, string> = {}): Promise<LargePost> {
  const { hostname, port } = new URL(url);
  const chunk = Buffer.alloc(CLIENT_CHUNK_BYTES, 97);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const head = [
      `POST ${path} HTTP/1.1`,
      `Host: ${hostname}`,
      `Content-Length: ${size}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    const accepted = () => Math.max(0, socket.bytesWritten - socket.writableLength - head.length);
    let finishedResolve: (bytes: number) => void = () => {};
    const finished = new Promise<number>((done) => (finishedResolve = done));
    let sent = 0;
    let answer = '';
    let acceptedAtAnswer = -1;
    const pump = (): void => {
      while (sent < size) {
        const piece = size - sent >= chunk.length ? chunk : chunk.subarray(0, size - sent);
        sent += piece.length;
        const last = sent === size;
        const more = socket.write(piece, last ? () => finishedResolve(accepted()) : undefined);
        if (!more && !last) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (data: Buffer) => {
      if (acceptedAtAnswer < 0) acceptedAtAnswer = accepted();
      answer += data.toString('latin1');
      const end = answer.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer);
      if (end < 0 || length === null || answer.length < end + 4 + Number(length[1])) return;
      resolve({
        status: Number(answer.slice(9, 12)),
        body: answer.slice(end + 4, end + 4 + Number(length[1])),
        acceptedAtAnswer,
        finished,
        close: () => socket.destroy(),
      });
    });
    socket.on('error', (error) => {
      finishedResolve(accepted());
      reject(error);
    });
    socket.on('close', () => finishedResolve(accepted()));
  });
}
