// Money: integer fen inside the system, yuan strings only at the edges. Never through floating point.

/** The largest amount a deep link may carry: 99 999 999.99 yuan. */
export const MAX_FEN = 9_999_999_999;

const YUAN_PATTERN = /^(0|[1-9]\d{0,7})(?:\.(\d{1,2}))?$/;

/**
 * Parses a yuan string ("10.2", "0.05", "100") into integer fen, exactly.
 * Refuses signs, exponents, blanks, more than two decimals and anything above {@link MAX_FEN}; returns null then.
 */
export function parseYuan(input: string): number | null {
  const match = YUAN_PATTERN.exec(input);
  if (!match) return null;
  const whole = Number(match[1]);
  const frac = (match[2] ?? '').padEnd(2, '0');
  const fen = whole * 100 + Number(frac);
  return Number.isSafeInteger(fen) && fen <= MAX_FEN ? fen : null;
}

/** Like {@link parseYuan} but also refuses zero: an amount someone must pay. */
export function parsePositiveYuan(input: string): number | null {
  const fen = parseYuan(input);
  return fen !== null && fen > 0 ? fen : null;
}

/** Formats integer fen as a yuan string with two decimals: 1020 → "10.20", -5 → "-0.05". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${whole}.${cents}`;
}

/** Formats integer fen for people: 1020 → "¥10.20", with thousands separators for large sums. */
export function formatCny(fen: number): string {
  const [whole = '0', cents = '00'] = formatYuan(Math.abs(fen)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}¥${grouped}.${cents}`;
}

/** A ratio in basis points (8000 = 80 %) applied to fen, rounded down to the fen. Exact for all safe inputs. */
export function applyRatioFloor(fen: number, ratioBp: number): number {
  if (!Number.isSafeInteger(fen) || !Number.isSafeInteger(ratioBp)) throw new RangeError('integers only');
  const product = fen * ratioBp;
  // Within 2^53 integer arithmetic is exact: subtract the remainder, then the division has no fraction to round.
  if (Number.isSafeInteger(product)) return (product - (product % 10_000)) / 10_000;
  return Number((BigInt(fen) * BigInt(ratioBp)) / 10_000n);
}

export interface PolicyTerms {
  /** Reimbursement ratio in basis points, 0..10000. */
  ratioBp: number;
  deductibleFen: number;
  coverageLeftFen: number;
}

export interface Quote {
  amountFen: number;
  insurerFen: number;
  selfPayFen: number;
}

/**
 * SPEC §3.4: insurer share X = min(coverage left, max(0, amount − deductible) × ratio), rounded down to the fen;
 * self-pay Y = amount − X.
 */
export function quote(amountFen: number, terms: PolicyTerms): Quote {
  const covered = applyRatioFloor(Math.max(0, amountFen - terms.deductibleFen), terms.ratioBp);
  const insurerFen = Math.max(0, Math.min(terms.coverageLeftFen, covered));
  return { amountFen, insurerFen, selfPayFen: amountFen - insurerFen };
}
