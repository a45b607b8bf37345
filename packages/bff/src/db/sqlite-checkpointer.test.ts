// The WAL checkpoint worker (issue 11): it copies the WAL into the database file while the event loop commits, so
// the WAL stays small without the commits checkpointing themselves, and nothing written is lost across a reopen.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { connect } from './database.ts';
import { CHECKPOINTER, startCheckpointer } from './sqlite-checkpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zf-ckpt-'));
  dirs.push(dir);
  return path.join(dir, 'w.db');
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PAGE = 4096;

it('keeps the WAL small while commits never checkpoint, and loses nothing across a reopen', async () => {
  const file = tempFile();
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  let mark = -1;
  const checkpointer = startCheckpointer(file, (pages) => {
    mark = pages;
    raw.pragma(`wal_autocheckpoint = ${pages}`);
  });
  expect(mark).toBe(CHECKPOINTER.fallbackPages);
  raw.exec('create table t (id integer primary key, v text)');
  const insert = raw.prepare('insert into t (v) values (?)');
  const payload = 'x'.repeat(3000); // about a page per row
  let biggest = 0;
  // 20 000 one-row commits (≈ 20 000 WAL pages written in all), yielding to the worker between batches of 200.
  for (let batch = 0; batch < 100; batch++) {
    for (let i = 0; i < 200; i++) insert.run(payload);
    await sleep(5);
    biggest = Math.max(biggest, statSync(`${file}-wal`).size);
  }
  const copied = await checkpointer.stop();
  // The worker did nearly all the copying, and the WAL started over instead of growing to all 20 000 pages.
  expect(copied).toBeGreaterThan(15_000);
  expect(biggest).toBeLessThan(CHECKPOINTER.fallbackPages * 1.5 * PAGE);
  raw.close();
  const again = new SQLite(file, { readonly: true });
  expect((again.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(20_000);
  again.close();
});

it('runs for every file database connect() opens, and stops with it', async () => {
  const file = tempFile();
  const conn = connect(`sqlite:${file}`);
  await sql`create table t (id integer primary key, v text)`.execute(conn.db);
  for (let i = 0; i < 500; i++) await sql`insert into t (v) values (${'y'.repeat(3000)})`.execute(conn.db);
  await sleep(100);
  // Copied by the worker: the main connection's own mark (4 000 pages) was never reached.
  const probe = new SQLite(file, { readonly: true });
  const [r] = probe.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
  probe.close();
  expect(r!.log - r!.checkpointed).toBeLessThan(500);
  await conn.destroy();
  const again = connect(`sqlite:${file}`);
  const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
  expect(Number(rows[0]!.n)).toBe(500);
  await again.destroy();
});
