// The PIN sheet's open / reset / complete logic shared by 余额支付 and 银行卡支付.
import { describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { ApiError } from '@/api/api-error.ts';
import type { LoadState } from '@/composables/use-async-data.ts';
import { usePinEntry } from './use-pin-entry.ts';

function setup(pendingTrip = false) {
  const state = ref<LoadState>('idle');
  const error = ref<ApiError | null>(null);
  const paid: [string, boolean][] = [];
  const entry = usePinEntry({ state: () => state.value, error: () => error.value, pendingTrip: () => pendingTrip }, (pin, supersede) =>
    paid.push([pin, supersede]),
  );
  return { state, error, paid, entry };
}

const wrongPin = () => new ApiError('ZF0090', 402, { reason: 'wrong_pin', remainingTries: 4 });

describe('usePinEntry', () => {
  it('opens the sheet empty, hands six digits on, keeps the sheet on a wrong PIN with its message, closes on success', async () => {
    const { state, error, paid, entry } = setup();
    entry.pin.value = '12';
    entry.start();
    expect(entry.show.value).toBe(true);
    expect(entry.asking.value).toBe(false);
    expect(entry.pin.value).toBe('');

    entry.complete('000000');
    expect(paid).toEqual([['000000', false]]);
    state.value = 'loading';
    await nextTick();
    error.value = wrongPin();
    state.value = 'error';
    await nextTick();
    expect(entry.show.value).toBe(true);
    expect(entry.pin.value).toBe('');
    expect(entry.errorText.value).toContain('4');

    // Opened again: the old message is gone until the next answer.
    entry.open(false);
    expect(entry.errorText.value).toBe('');
    entry.complete('123456');
    state.value = 'loading';
    await nextTick();
    error.value = null;
    state.value = 'done';
    await nextTick();
    expect(entry.show.value).toBe(false);
    expect(paid).toEqual([
      ['000000', false],
      ['123456', false],
    ]);
  });

  it('closes the sheet on any other failure (the page shows it)', async () => {
    const { state, error, entry } = setup();
    entry.start();
    entry.complete('123456');
    state.value = 'loading';
    await nextTick();
    error.value = new ApiError('ZF0090', 402, { reason: 'insufficient_balance' });
    state.value = 'error';
    await nextTick();
    expect(entry.show.value).toBe(false);
    expect(entry.errorText.value).toBe('');
  });

  it('asks first while a 关爱通 trip is pending, and passes the confirmation on with the PIN', () => {
    const { paid, entry } = setup(true);
    entry.start();
    expect(entry.asking.value).toBe(true);
    expect(entry.show.value).toBe(false);
    entry.open(true);
    entry.complete('123456');
    expect(paid).toEqual([['123456', true]]);
  });
});
