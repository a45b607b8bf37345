// How a refund amount splits between the insurer's share and the user's self-pay, in exact integer fen.
//
// The rule: refunds are cumulative. With the order's total A = X (insurer) + Y (self-pay), and R fen already refunded
// (not failed) before this refund of r fen, the insurer part of everything refunded so far is
//   I(R + r) = floor((R + r) · X / A)
// and this refund's insurer part is I(R + r) − I(R); its self-pay part is the rest, r − insurer part. So:
//   - the parts of every refund add up to its amount exactly;
//   - after any sequence of refunds the insurer total is floor(total · X / A) ≤ X and the self-pay total is
//     ceil(total · Y / A) ≤ Y — neither part is ever refunded beyond what it paid;
//   - a refund of the whole amount (R + r = A) returns exactly X and Y.
// The products are taken in BigInt, as A · X can exceed 2^53 for large bills.

export interface Split {
  insurerFen: number;
  selfPayFen: number;
}

function insurerPartOf(refundedFen: number, amountFen: number, insurerFen: number): number {
  if (amountFen === 0) return 0;
  return Number((BigInt(refundedFen) * BigInt(insurerFen)) / BigInt(amountFen));
}

/**
 * Splits a refund of `refundFen` of an order of `amountFen` (insurer share `insurerFen`) after `alreadyFen` were
 * refunded. Throws RangeError for amounts that do not fit (the caller checks the limit first and answers ZF0223).
 */
export function splitRefund(order: { amountFen: number; insurerFen: number }, alreadyFen: number, refundFen: number): Split {
  const { amountFen, insurerFen } = order;
  if (!Number.isSafeInteger(refundFen) || refundFen <= 0) throw new RangeError(`refund must be positive fen: ${refundFen}`);
  if (alreadyFen < 0 || alreadyFen + refundFen > amountFen) throw new RangeError('refund exceeds the amount paid');
  const insurer = insurerPartOf(alreadyFen + refundFen, amountFen, insurerFen) - insurerPartOf(alreadyFen, amountFen, insurerFen);
  return { insurerFen: insurer, selfPayFen: refundFen - insurer };
}
