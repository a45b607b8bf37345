// The Payzero simulator's refund endpoints over real HTTP, through our client: INIT → REQUESTED → SUCCEED, the
// failing (…13 fen) and slow (card …2222) cases, idempotency by mchtRefundOrderNo, and the refusals.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PayzeroError } from '../../src/providers/payzero/client.ts';
import { startPayzeroHarness, type PayzeroHarness } from '../../testing/payzero.ts';

const waitFor = <T>(fn: () => T | Promise<T>) => vi.waitFor(fn, { timeout: 3_000, interval: 5 });

describe('Payzero simulator refunds', () => {
  let h: PayzeroHarness;
  beforeEach(async () => {
    h = await startPayzeroHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function paid(no: string, card = 'tok-0000', amount = 5_000): Promise<void> {
    await h.client.createAndPay({ mchtOrderNo: no, paymentAmountFen: amount, subject: 'test', payerCardNo: card });
    await waitFor(async () => expect((await h.client.queryFeedback(no)).payStatus).toBe('PAY_SUCCEED'));
  }

  it('accepts a refund (REFUND_REQUESTED), answers the same request idempotently, and succeeds after its delay', async () => {
    await paid('PZR-1');
    const first = await h.client.requestRefund({ mchtOrderNo: 'PZR-1', mchtRefundOrderNo: 'RF-1', refundAmountFen: 2_000, reason: 'r' });
    expect(first).toMatchObject({ refundStatus: 'REFUND_REQUESTED', refundAmount: 2_000, mchtOrderNo: 'PZR-1' });
    expect(
      (await h.client.requestRefund({ mchtOrderNo: 'PZR-1', mchtRefundOrderNo: 'RF-1', refundAmountFen: 2_000, reason: 'r' }))
        .mchtRefundOrderNo,
    ).toBe('RF-1');
    await waitFor(async () => expect((await h.client.queryRefund('RF-1')).refundStatus).toBe('REFUND_SUCCEED'));
    expect((await h.client.queryRefund('RF-1')).refundOrderNo).toMatch(/^PZR/);
  });

  it('fails a refund ending in 13 fen; a card …2222 refund is slow', async () => {
    await paid('PZR-2');
    await h.client.requestRefund({ mchtOrderNo: 'PZR-2', mchtRefundOrderNo: 'RF-2', refundAmountFen: 1_013, reason: 'r' });
    await waitFor(async () => expect((await h.client.queryRefund('RF-2')).refundStatus).toBe('REFUND_FAILED'));
    h.sim.setCardBehaviour('2222', { outcome: 'succeed', delayMs: 0 });
    await paid('PZR-3', 'tok-2222');
    await h.client.requestRefund({ mchtOrderNo: 'PZR-3', mchtRefundOrderNo: 'RF-3', refundAmountFen: 100, reason: 'r' });
    await new Promise((r) => setTimeout(r, 15)); // a normal refund (1 s × 0.005) would be done by now
    expect((await h.client.queryRefund('RF-3')).refundStatus).toBe('REFUND_REQUESTED');
    await waitFor(async () => expect((await h.client.queryRefund('RF-3')).refundStatus).toBe('REFUND_SUCCEED'));
  });

  it('refuses: the same number with another amount (30002), more than paid (30001), an unpaid or unknown order, an unknown refund (30004)', async () => {
    await paid('PZR-4');
    await h.client.requestRefund({ mchtOrderNo: 'PZR-4', mchtRefundOrderNo: 'RF-4', refundAmountFen: 4_000, reason: 'r' });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => (e instanceof PayzeroError ? e.errorCode : 'other'),
      );
    expect(await code(h.client.requestRefund({ mchtOrderNo: 'PZR-4', mchtRefundOrderNo: 'RF-4', refundAmountFen: 100, reason: 'r' }))).toBe(
      '30002',
    );
    expect(
      await code(h.client.requestRefund({ mchtOrderNo: 'PZR-4', mchtRefundOrderNo: 'RF-5', refundAmountFen: 1_001, reason: 'r' })),
    ).toBe('30001');
    await h.client.createOrder({ mchtOrderNo: 'PZR-5', paymentAmountFen: 100, subject: 'unpaid' });
    expect(await code(h.client.requestRefund({ mchtOrderNo: 'PZR-5', mchtRefundOrderNo: 'RF-6', refundAmountFen: 100, reason: 'r' }))).toBe(
      '30001',
    );
    expect(await code(h.client.requestRefund({ mchtOrderNo: 'NOPE', mchtRefundOrderNo: 'RF-7', refundAmountFen: 100, reason: 'r' }))).toBe(
      '30004',
    );
    expect(await code(h.client.queryRefund('RF-NONE'))).toBe('30004');
  });
});
