// The SQLite WAL checkpoint off the request thread (issue 11). By default the connection that commits the
// transaction which takes the WAL past 1 000 pages copies them into the database file and fsyncs it, inside that
// commit, on the event loop: ≈ 0.37 ms of every payment's 0.66 ms commit on the bench, and the long commits in its
// tail. A worker thread with its own connection to the same file runs a PASSIVE checkpoint (it never blocks the
// writer or a reader) every few milliseconds, so the copying and the fsync wait on the other core.
//
// SQLite starts the WAL over only when a write transaction begins with every frame copied; under a steady stream of
// commits the worker rarely finishes between two of them, so the main connection keeps an automatic checkpoint at a
// higher mark: when the WAL reaches it, nearly all of it is already copied, the commit that passes it copies the few
// frames left and the next one starts the WAL over. One short checkpoint in the event loop per 4 000 pages instead
// of a full one per 1 000; and when the worker is gone, the WAL is still bounded.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the worker checkpoints; the main connection's own mark (WAL pages) while the worker runs, for when it falls
 * behind; and SQLite's default mark, which the main connection goes back to when the worker fails.
 */
export const CHECKPOINTER = { everyMs: 20, fallbackPages: 4_000, withoutWorkerPages: 1_000 } as const;

// CommonJS evaluated in the worker: the driver is required by the path the main thread resolved.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
let pages = 0;
const timer = setInterval(() => {
  try {
    // [busy, WAL frames, frames checkpointed]: a PASSIVE checkpoint copies what no reader still needs.
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    pages += r.checkpointed > 0 ? r.checkpointed : 0;
  } catch {}
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ pages });
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker (after its current checkpoint); resolves with how many pages it copied. */
  stop(): Promise<number>;
}

/**
 * Starts the checkpoint worker for the SQLite file at `path` (opened in WAL mode by the caller), after setting the
 * main connection's automatic checkpoint to the fallback mark through `setAutoCheckpoint`.
 */
export function startCheckpointer(path: string, setAutoCheckpoint: (pages: number) => void): Checkpointer {
  setAutoCheckpoint(CHECKPOINTER.fallbackPages);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, path, everyMs: CHECKPOINTER.everyMs } });
  // The process may exit with the worker still running (tests, a crash): it never holds the process open.
  worker.unref();
  let failed: Error | null = null;
  worker.on('error', (err) => {
    // Without the worker the main connection checkpoints at the fallback mark: slower commits, nothing lost.
    failed = err;
    setAutoCheckpoint(CHECKPOINTER.withoutWorkerPages);
  });
  return {
    stop: () =>
      failed
        ? Promise.resolve(0)
        : new Promise<number>((resolve) => {
            worker.once('message', (m: { pages: number }) => resolve(m.pages));
            worker.once('exit', () => resolve(0));
            worker.postMessage('stop');
          }),
  };
}
