// `?pool_size=N` on a MySQL URL: ours (not passed to mysql2), and a bad value stops the process instead of a silent 10.
import { describe, expect, it } from 'vitest';
import { connect } from './database.ts';

describe('connect: pool_size', () => {
  it('refuses a pool size that is not a whole number from 1 to 500', () => {
    for (const bad of ['0', '-1', '2.5', 'ten', '501', ''])
      expect(() => connect(`mysql://u@127.0.0.1:1/x?pool_size=${bad}`)).toThrow(/pool_size must be a whole number from 1 to 500/);
  });

  it('takes a good one without connecting (the pool opens connections on first use)', async () => {
    const c = connect('mysql://u@127.0.0.1:1/x?pool_size=3');
    expect(c.dialect).toBe('mysql');
    await c.destroy();
  });
});
