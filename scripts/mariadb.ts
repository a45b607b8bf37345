// Throwaway MariaDB server for tests.
//
//   import { startThrowawayMariaDb } from './mariadb.ts';
//   const db = await startThrowawayMariaDb();   // null when MariaDB is not installed
//   db.url  -> 'mysql://root@127.0.0.1:<port>/'  (no database: each test file creates its own)
//   await db.stop();
//
// CLI:  tsx scripts/mariadb.ts          start one, print its URL, keep it running until Ctrl-C
//       tsx scripts/mariadb.ts --check  start one, run a query over TCP, stop it (exit 0 on success)
//
// The server runs from a private temp folder (data + socket), listens on 127.0.0.1 on a free port,
// root has an empty password. It is killed and its folder removed by stop(), when this process exits,
// and — via a tiny watchdog process — even when this process is killed with SIGKILL.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findBinary, freePort, isExecutable, settlesWithin, sleep } from './lib/proc.ts';
import { runSql } from './lib/sql.ts';
import { startWatchdog } from './lib/watchdog.ts';

const execFileAsync = promisify(execFile);

export interface ThrowawayMariaDb {
  /** `mysql://root@127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Unix socket path (root@localhost, no password). */
  socket: string;
  stop(): Promise<void>;
  /** Outage tests: stops the server (SIGTERM; its data stays), then starts it again on the same port and data. */
  halt(): Promise<void>;
  restart(): Promise<void>;
}

// ---- main entry ----

/**
 * Starts a private MariaDB server. Returns null when `mariadbd` is not installed.
 * Throws when it is installed but cannot be started (that is a real failure, not a skip).
 */
export async function startThrowawayMariaDb(opts: { extraArgs?: string[] } = {}): Promise<ThrowawayMariaDb | null> {
  const mariadbd = findBinary('mariadbd');
  if (!mariadbd) return null;
  const installDb =
    [path.join(path.dirname(mariadbd), 'mariadb-install-db'), findBinary('mariadb-install-db'), findBinary('mysql_install_db')].find(
      (p): p is string => !!p && isExecutable(p),
    ) ?? null;
  if (!installDb) throw new Error(`found ${mariadbd} but no mariadb-install-db`);

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const userArgs = isRoot ? ['--user=root'] : [];

  // Short base path: the unix socket path must stay below ~107 bytes.
  const base = existsSync('/tmp') ? '/tmp' : os.tmpdir();
  const dir = mkdtempSync(path.join(base, 'zf-mariadb-'));
  const datadir = path.join(dir, 'data');
  const socket = path.join(dir, 'sock');
  const errorLog = path.join(dir, 'error.log');
  // A private tmpdir: implicit temporary tables must not depend on files in the shared /tmp surviving.
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp);

  const removeDir = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  };

  try {
    await execFileAsync(
      installDb,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        ...userArgs,
      ],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    removeDir();
    throw new Error(`mariadb-install-db failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }

  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const launch = () =>
      spawn(
        mariadbd,
        [
          '--no-defaults', // must be first
          `--datadir=${datadir}`,
          `--socket=${socket}`,
          `--tmpdir=${tmp}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--pid-file=${path.join(dir, 'mariadbd.pid')}`,
          `--log-error=${errorLog}`,
          '--skip-name-resolve',
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_unicode_ci',
          '--max-connections=1000',
          // throwaway data: trade durability for speed
          '--innodb-flush-log-at-trx-commit=0',
          '--skip-innodb-doublewrite',
          '--innodb-buffer-pool-size=128M',
          ...(opts.extraArgs ?? []), // later options win (the quota benchmark's bigger buffer pool)
          ...userArgs,
        ],
        { detached: true, stdio: 'ignore' }, // own process group: a terminal Ctrl-C is handled by us, not by mariadbd
      );
    let child = launch();
    let exited = false;
    let exitInfo = '';
    const watchExit = (proc: typeof child) =>
      new Promise<void>((resolve) => {
        proc.once('exit', (code, signal) => {
          exited = true;
          exitInfo = `code=${code} signal=${signal}`;
          resolve();
        });
        proc.once('error', (err) => {
          exited = true;
          exitInfo = String(err);
          resolve();
        });
      });
    let exitPromise = watchExit(child);

    const killNow = () => {
      if (!exited && child.pid) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const onExit = () => {
      killNow();
      removeDir();
    };
    process.on('exit', onExit);
    let watchdog = child.pid ? startWatchdog(child.pid, dir) : null;

    // Wait until the socket accepts root, then make sure root can also log in over TCP from 127.0.0.1.
    const deadline = Date.now() + 60_000;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      try {
        await runSql(
          { socket },
          "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';" +
            "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
        );
        await runSql({ port }, 'SELECT 1');
        ready = true;
        break;
      } catch (err) {
        lastError = String((err as Error).message ?? err);
        await sleep(150);
      }
    }

    if (ready) {
      let stopped: Promise<void> | null = null;
      const stop = () => {
        stopped ??= (async () => {
          process.off('exit', onExit);
          if (!exited && child.pid) {
            try {
              process.kill(child.pid, 'SIGTERM');
            } catch {
              // already gone
            }
            if (!(await settlesWithin(exitPromise, 20_000))) {
              killNow();
              await settlesWithin(exitPromise, 5_000);
            }
          }
          if (watchdog?.pid) {
            try {
              process.kill(watchdog.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
          removeDir();
        })();
        return stopped;
      };
      const halt = async () => {
        if (!exited && child.pid) process.kill(child.pid, 'SIGTERM');
        if (!(await settlesWithin(exitPromise, 20_000))) killNow();
        await exitPromise;
      };
      const restart = async () => {
        exited = false;
        child = launch();
        exitPromise = watchExit(child);
        watchdog = child.pid ? startWatchdog(child.pid, dir) : null;
        const until = Date.now() + 60_000;
        for (;;) {
          try {
            await runSql({ port }, 'SELECT 1');
            return;
          } catch (err) {
            if (exited || Date.now() > until) throw new Error(`mariadbd did not come back: ${exitInfo} ${String(err)}`, { cause: err });
            await sleep(150);
          }
        }
      };
      return { url: `mysql://root@127.0.0.1:${port}/`, port, socket, stop, halt, restart };
    }

    // Failed attempt: collect the reason, clean up this server, maybe retry (e.g. the port got taken).
    killNow();
    await settlesWithin(exitPromise, 5_000);
    process.off('exit', onExit);
    if (watchdog?.pid) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    let log = '';
    try {
      log = readFileSync(errorLog, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      // no log
    }
    lastError = `mariadbd ${exited ? `exited (${exitInfo})` : 'did not become ready'}; last connection error: ${lastError}\n${log}`;
    const portClash = /Address already in use|Do you already have another server running/i.test(log);
    if (!portClash) break;
  }

  removeDir();
  throw new Error(`could not start a throwaway MariaDB: ${lastError}`);
}

// ---- CLI ----

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const check = process.argv.includes('--check');
  const t0 = Date.now();
  const db = await startThrowawayMariaDb();
  if (!db) {
    console.error('MariaDB is not installed (no mariadbd in PATH, /usr/sbin or /usr/bin).');
    process.exit(2);
  }
  console.log(`MariaDB ready in ${Date.now() - t0} ms: ${db.url}  (socket ${db.socket})`);
  if (check) {
    await runSql(
      { port: db.port },
      "CREATE DATABASE t_check; CREATE TABLE t_check.x (s VARCHAR(10)); INSERT INTO t_check.x VALUES ('直付');",
    );
    await db.stop();
    console.log('check OK: created a database over TCP, stopped the server.');
  } else {
    console.log('Press Ctrl-C to stop.');
    const shutdown = () => {
      void db.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  }
}
