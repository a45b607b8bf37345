// A tiny SQL helper for the throwaway MariaDB: mysql2 from packages/bff if resolvable, else the `mariadb` CLI client.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findBinary } from './proc.ts';

const execFileAsync = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type Target = { socket: string } | { port: number };

interface Mysql2Promise {
  createConnection(opts: Record<string, unknown>): Promise<{
    query(sql: string): Promise<unknown>;
    end(): Promise<void>;
  }>;
}

let mysql2Cache: Mysql2Promise | null | undefined;
function loadMysql2(): Mysql2Promise | null {
  if (mysql2Cache !== undefined) return mysql2Cache;
  for (const base of ['packages/bff/package.json', 'package.json']) {
    try {
      mysql2Cache = createRequire(path.join(REPO_ROOT, base))('mysql2/promise') as Mysql2Promise;
      return mysql2Cache;
    } catch {
      // try the next place
    }
  }
  mysql2Cache = null;
  return null;
}

export async function runSql(target: Target, sql: string): Promise<void> {
  const mysql2 = loadMysql2();
  if (mysql2) {
    const conn = await mysql2.createConnection({
      user: 'root',
      password: '',
      multipleStatements: true,
      connectTimeout: 2000,
      ...('socket' in target ? { socketPath: target.socket } : { host: '127.0.0.1', port: target.port }),
    });
    try {
      await conn.query(sql);
    } finally {
      await conn.end().catch(() => undefined);
    }
    return;
  }
  const client = findBinary('mariadb') ?? findBinary('mysql');
  if (!client) throw new Error('neither the mysql2 package nor the mariadb client is available');
  const where = 'socket' in target ? [`--socket=${target.socket}`] : ['-h127.0.0.1', `-P${target.port}`, '--protocol=TCP'];
  await execFileAsync(client, ['--no-defaults', ...where, '-uroot', '--connect-timeout=2', '-e', sql], { timeout: 10_000 });
}
