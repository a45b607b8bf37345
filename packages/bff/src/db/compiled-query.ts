// Fixed-shape statements built and compiled ONCE per dialect, then run again with new parameter values (issue 11: on
// the pay path Kysely's building and compiling — visitNode, freeze, cloneWithWhere, parse… — was ≈ 23 % of the CPU).
// `compiled((db, p) => db.selectFrom('orders').selectAll().where('order_no', '=', p.orderNo))` builds the query with
// named placeholders (`p.orderNo` is a marker value), compiles it for the dialect of the first `db` it runs on, and
// afterwards hands the cached CompiledQuery with the caller's values to `db.executeQuery` — so it runs inside the
// caller's transaction, goes through the same driver, log hook and prepared-statement cache as any Kysely query.
import type { Compilable, CompiledQuery, Insertable, Kysely, QueryResult, RawBuilder } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './tables.ts';

/** A named placeholder: the builder sees it as the parameter's type; it must only ever be used as a value. */
class Param {
  constructor(readonly name: string) {}
  toString(): string {
    return `\u0000zf-param:${this.name}\u0000`;
  }
}

/** One compiled form: the SQL and, per `?` / `$n`, the parameter name to take the value from (or a constant). */
interface Entry<R> {
  query: CompiledQuery<R>;
  /** `names[i]`: the input name bound at position i; null: `constants[i]`, a value fixed by the builder. */
  names: Array<string | null>;
  constants: unknown[];
}

/** A statement with a fixed shape; the inputs `P` are its only variables. */
export interface CompiledStatement<P, R> {
  /** Runs on `db` (a transaction runs it inside that transaction). */
  execute(db: Db, params: P): Promise<QueryResult<R>>;
  /** The result rows. */
  rows(db: Db, params: P): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Db, params: P): Promise<R | undefined>;
  /** How many rows an insert / update / delete affected (matched rows for an update, as Kysely's `numUpdatedRows`). */
  affected(db: Db, params: P): Promise<number>;
  /** The compiled query with these values, as `execute` would run it (tests, EXPLAIN). */
  compile(db: Db, params: P): CompiledQuery<R>;
}

/** The compiler a database uses: one per dialect (its adapter's class); null when plugins rewrite queries (not cached). */
function dialectKey(db: Db): object | null {
  const executor = db.getExecutor();
  return executor.plugins.length ? null : executor.adapter.constructor;
}

function compileEntry<P, R>(db: Db, build: (db: Kysely<Database>, p: P) => Compilable<R>): Entry<R> {
  const used = new Map<string, Param>();
  const placeholders = new Proxy({} as Record<string, Param>, {
    get(_t, name) {
      if (typeof name !== 'string') return undefined;
      let p = used.get(name);
      if (!p) used.set(name, (p = new Param(name)));
      return p;
    },
  }) as unknown as P;
  const query = build(db, placeholders).compile();
  if (query.sql.includes('\u0000zf-param:')) throw new Error(`compiled query: a parameter was used as SQL text, not a value: ${query.sql}`);
  const names: Array<string | null> = [];
  const constants: unknown[] = [];
  const bound = new Set<string>();
  for (const v of query.parameters) {
    if (v instanceof Param) {
      names.push(v.name);
      constants.push(undefined);
      bound.add(v.name);
    } else {
      names.push(null);
      constants.push(v);
    }
  }
  // A parameter read while building but never bound decided the shape (a branch on it): the cache would be wrong.
  for (const name of used.keys())
    if (!bound.has(name)) throw new Error(`compiled query: parameter ${name} is not bound as a value (a shape must not depend on values)`);
  return { query, names, constants };
}

function withValues<P, R>(entry: Entry<R>, params: P): CompiledQuery<R> {
  const values = params as Record<string, unknown>;
  const { names, constants } = entry;
  const parameters = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string | null;
    if (name === null) parameters[i] = constants[i];
    else {
      const v = values[name];
      // Kysely drops an undefined value from the statement; a fixed shape cannot, so it is refused.
      if (v === undefined) throw new Error(`compiled query: no value for parameter ${name}`);
      parameters[i] = v;
    }
  }
  return { ...entry.query, parameters };
}

/**
 * A statement built by `build` once per dialect and reused with new values. `build` must give the same shape for
 * every input: use each `p.<name>` only as a value (in `where`, `set`, `values`, a `sql` template's `${…}`), never in a
 * condition, an `IN` list or a column list; a variant (another column set, another list length) is its own statement
 * — {@link compiledVariants}. Not for queries a plugin rewrites (then each call builds the query as usual).
 */
export function compiled<P extends object, R>(build: (db: Kysely<Database>, p: P) => Compilable<R>): CompiledStatement<P, R> {
  const cache = new Map<object, Entry<R>>();
  const compile = (db: Db, params: P): CompiledQuery<R> => {
    const key = dialectKey(db);
    if (!key) return build(db, params).compile();
    let entry = cache.get(key);
    if (!entry) cache.set(key, (entry = compileEntry(db, build)));
    return withValues(entry, params);
  };
  const execute = (db: Db, params: P) => db.executeQuery(compile(db, params));
  return {
    execute,
    compile,
    rows: async (db, params) => (await execute(db, params)).rows,
    first: async (db, params) => (await execute(db, params)).rows[0],
    affected: async (db, params) => Number((await execute(db, params)).numAffectedRows ?? 0),
  };
}

/**
 * A family of fixed-shape statements told apart by `shape` (a list length, which columns change): one
 * {@link compiled} statement per shape key, built on first use. Keep the number of shapes small (each is cached).
 */
export function compiledVariants<S extends string | number, P extends object, R>(
  build: (db: Kysely<Database>, p: P, shape: S) => Compilable<R>,
  maxShapes = 64,
): (shape: S) => CompiledStatement<P, R> {
  const shapes = new Map<S, CompiledStatement<P, R>>();
  return (shape) => {
    let stmt = shapes.get(shape);
    if (!stmt) {
      if (shapes.size >= maxShapes) shapes.clear();
      shapes.set(shape, (stmt = compiled<P, R>((db, p) => build(db, p, shape))));
    }
    return stmt;
  };
}

/** Every column of a table's insert, each `true`: the type refuses a list that misses one. */
export type AllColumns<T extends keyof Database> = { [K in keyof Insertable<Database[T]> & string]-?: true };

/**
 * A one-row insert into `table` of exactly `columns` (all of the table's insertable columns), compiled once per
 * dialect; its input is the row, every column given (null where empty).
 */
export function compiledInsert<T extends keyof Database & string>(
  table: T,
  columns: AllColumns<T>,
): CompiledStatement<Required<Insertable<Database[T]>>, never> {
  const names = Object.keys(columns);
  return compiled<Required<Insertable<Database[T]>>, never>((db, p) => {
    const row = Object.fromEntries(names.map((c) => [c, (p as Record<string, unknown>)[c]]));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the row's columns are the table's (AllColumns<T>)
    return (db as Kysely<any>).insertInto(table).values(row) as unknown as Compilable<never>;
  });
}

/** A `sql` template as a statement for {@link compiled} (a raw builder compiles against a given database). */
export function rawQuery<R>(db: Kysely<Database>, query: RawBuilder<R>): Compilable<R> {
  return { compile: () => query.compile(db) };
}
