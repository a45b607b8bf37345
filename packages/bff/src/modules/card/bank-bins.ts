// A small BIN table (the first 6 digits of well-known debit cards) to name the bank of a card being bound.
// Not exhaustive on purpose: an unknown BIN is shown as 银行卡. Production would take the bank from the provider's
// card-agreement answer instead.

const BINS: Readonly<Record<string, string>> = {
  // 招商银行
  '621483': '招商银行',
  '621485': '招商银行',
  '621486': '招商银行',
  '622588': '招商银行',
  '622575': '招商银行',
  // 中国工商银行
  '622202': '中国工商银行',
  '622208': '中国工商银行',
  '621225': '中国工商银行',
  '621226': '中国工商银行',
  // 中国建设银行
  '621700': '中国建设银行',
  '622700': '中国建设银行',
  '436742': '中国建设银行',
  // 中国农业银行
  '622848': '中国农业银行',
  '622845': '中国农业银行',
  '622841': '中国农业银行',
  // 中国银行
  '621661': '中国银行',
  '621663': '中国银行',
  '621785': '中国银行',
  // 交通银行
  '622260': '交通银行',
  '622262': '交通银行',
  // 中国邮政储蓄银行
  '621799': '中国邮政储蓄银行',
  '622188': '中国邮政储蓄银行',
};

/** The bank that issued a card number, or `银行卡` when its BIN is not in the table. */
export function bankNameOf(cardNo: string): string {
  return BINS[cardNo.slice(0, 6)] ?? '银行卡';
}
