// Starts the soak server as a child process, follows its RSS over IPC, notices a crash, and stops it cleanly.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemoryBound, ServerMessage } from './protocol.js';

const serverPath = fileURLToPath(new URL('./server.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** ms the runner waits for the server's report after asking it to stop. */
const STOP_REPORT_WAIT = 60_000;
/** Characters of the server's stderr kept for the report. */
const STDERR_KEPT = 4000;

/** What stopping the server found. */
export interface ServerShutdown {
  /** Resources the server opened and had not closed after closing its listener and store. */
  handles: string[];
  /** True when the process exited by itself once it let go of IPC (nothing kept its event loop alive). */
  exitedByItself: boolean;
  /** Errors the server's onError saw, by label. */
  errors: Record<string, number>;
  closeError: string | undefined;
  /** ms the server took to close its store after the stop request; undefined without a report. */
  closeMs: number | undefined;
}

/** A running soak server. */
export interface ServerProcess {
  readonly port: number;
  readonly rss: { start: number; peak: number; last: number };
  /** Anonymous RSS (without file-backed pages such as LMDB's map), as `rss`. */
  readonly anon: { start: number; peak: number; last: number };
  /** The bytes the server's store and decode cache may hold, as configured. */
  readonly memory: MemoryBound;
  /** Set when the child exited without being asked to: `code N` or the signal's name. */
  readonly crash: string | undefined;
  /** The end of what the child wrote to stderr (its crash report, when it crashed). */
  readonly stderr: string;
  /** Resolves when the child exits, whatever the reason. */
  readonly exited: Promise<void>;
  stop(): Promise<ServerShutdown>;
  kill(): void;
}

/** Forks the server with the store chosen by `env` and resolves once it listens. */
export function startServer(env: Record<string, string>, timeout = 60_000): Promise<ServerProcess> {
  const child: ChildProcess = fork(serverPath, [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  // Passed through as it comes, and the tail kept for the report: a crash's error is the last thing it wrote.
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  let stopping = false;
  let crash: string | undefined;
  let closed: ((message: Extract<ServerMessage, { type: 'closed' }>) => void) | undefined;
  const rss = { start: 0, peak: 0, last: 0 };
  const anon = { start: 0, peak: 0, last: 0 };
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) crash = signal ?? `code ${code}`;
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the soak server did not listen within ${timeout} ms`));
    }, timeout);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the soak server exited before it listened (${crash})`));
    });
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'closed') {
        closed?.(message);
        return;
      }
      rss.last = message.rss;
      rss.peak = Math.max(rss.peak, message.rss);
      anon.last = message.anon;
      anon.peak = Math.max(anon.peak, message.anon);
      if (message.type !== 'listening') return;
      clearTimeout(timer);
      rss.start = message.rss;
      anon.start = message.anon;
      resolve({
        port: message.port,
        rss,
        anon,
        memory: message.memory,
        get crash() {
          return crash;
        },
        get stderr() {
          return stderr;
        },
        exited,
        kill: () => void child.kill('SIGKILL'),
        stop,
      });
    });
  });

  async function stop(): Promise<ServerShutdown> {
    stopping = crash === undefined;
    if (crash !== undefined || child.exitCode !== null)
      return { handles: [], exitedByItself: false, errors: {}, closeError: 'the server had exited', closeMs: undefined };
    const report = new Promise<Extract<ServerMessage, { type: 'closed' }> | undefined>((resolve) => {
      closed = resolve;
      void exited.then(() => resolve(undefined));
    });
    child.send({ type: 'stop' });
    const message = await withTimeout(report, STOP_REPORT_WAIT);
    if (message !== undefined) rss.last = message.rss;
    const exitedByItself = await withTimeout(
      exited.then(() => true),
      10_000,
    );
    if (exitedByItself === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    return {
      handles: message?.handles ?? ['(no report: the server did not answer the stop request)'],
      exitedByItself: exitedByItself === true,
      errors: message?.errors ?? {},
      closeError: message?.closeError,
      closeMs: message?.closeMs,
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
