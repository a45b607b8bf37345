// The session store: what a link may reuse, and what survives a reload through sessionStorage.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeSession } from '@/test-utils/fixtures.ts';
import { SESSION_STORAGE_KEY, useSessionStore } from './session.ts';

const SIGN = 'a'.repeat(64);

beforeEach(() => setActivePinia(createPinia()));

describe('session store', () => {
  it('survives a reload: a new store reads the session back from sessionStorage', () => {
    useSessionStore().save(makeSession(), SIGN);
    setActivePinia(createPinia());
    expect(useSessionStore().token).toBe('tok-demo-001');
  });

  it('is reused by the same sign or by a link without sign, not by another link', () => {
    const store = useSessionStore();
    store.save(makeSession(), SIGN);
    expect(store.reusableFor(SIGN)?.token).toBe('tok-demo-001');
    expect(store.reusableFor(null)?.token).toBe('tok-demo-001');
    expect(store.reusableFor('b'.repeat(64))).toBeNull();
  });

  it('is not reused once expired', () => {
    const store = useSessionStore();
    store.save({ ...makeSession(), expires_at: '2026-11-22T02:30:00.000Z' }, SIGN);
    expect(store.reusableFor(SIGN, Date.parse('2026-11-22T02:29:59Z'))).not.toBeNull();
    expect(store.reusableFor(SIGN, Date.parse('2026-11-22T02:30:00Z'))).toBeNull();
  });

  it('ignores a corrupt stored entry, and clear() forgets the session', () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, '{not json');
    expect(useSessionStore().token).toBeNull();
    useSessionStore().save(makeSession(), SIGN);
    useSessionStore().clear();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(useSessionStore().session).toBeNull();
  });
});
