// Realistic API answers for component tests, after the demo data of SPEC §10 (claim CLM-DEMO-001, 张三).
import type {
  AttemptView,
  CardView,
  CashierView,
  GuanaitongPickView,
  OrderView,
  PolicyList,
  PolicyQuote,
  PolicySummary,
  SessionResponse,
} from '@zf/shared';

/** The server's clock in these fixtures. */
export const SERVER_NOW = '2026-11-22T02:00:00.000Z';

/** A session for the demo partner; `next` decides where the entry page goes. */
export function makeSession(next: SessionResponse['next'] = { page: 'policies' }): SessionResponse {
  return {
    token: 'tok-demo-001',
    expires_at: '2099-01-01T00:00:00.000Z',
    partner_id: 'demo',
    claim_no: 'CLM-DEMO-001',
    refer_no: 'REF-1001',
    amount_fen: 123_456,
    user_name: '张三',
    next,
  };
}

/** POL-PICC-001: PICC, 80 %, no deductible, 10 000.00 left. */
export const PICC_POLICY: PolicySummary = {
  policy_no: 'POL-PICC-001',
  insurer_code: 'PICC',
  insurer_name: '中国人保',
  product_name: '百万医疗险',
  ratio_bp: 8000,
  deductible_fen: 0,
  coverage_left_fen: 1_000_000,
  valid_from: '2026-01-01',
  valid_to: '2026-12-31',
};

/** POL-PAIC-001: PAIC, 100 %, 100.00 deductible, 500.00 left. */
export const PAIC_POLICY: PolicySummary = {
  policy_no: 'POL-PAIC-001',
  insurer_code: 'PAIC',
  insurer_name: '中国平安',
  product_name: '门诊保障计划',
  ratio_bp: 10_000,
  deductible_fen: 10_000,
  coverage_left_fen: 50_000,
  valid_from: '2026-03-01',
  valid_to: '2027-02-28',
};

/** The entry link's policy list. */
export const POLICY_LIST: PolicyList = { amount_fen: 123_456, policies: [PICC_POLICY, PAIC_POLICY] };

/** The PICC quote on 1 234.56: insurer 987.64, user 246.92. */
export const PICC_QUOTE: PolicyQuote = { policy: PICC_POLICY, amount_fen: 123_456, insurer_fen: 98_764, self_pay_fen: 24_692 };

/** An open order for the PICC quote, deadline 30 minutes after {@link SERVER_NOW}. */
export function makeOrder(overrides: Partial<OrderView> = {}): OrderView {
  return {
    order_no: 'ZF20261122100000123456',
    refer_no: 'REF-1001',
    claim_no: 'CLM-DEMO-001',
    policy_no: 'POL-PICC-001',
    insurer_name: '中国人保',
    status: 'open',
    display: 'unpaid',
    amount_fen: 123_456,
    insurer_fen: 98_764,
    self_pay_fen: 24_692,
    deadline_at: '2026-11-22T02:30:00.000Z',
    paid_at: null,
    created_at: SERVER_NOW,
    last_attempt: null,
    ...overrides,
  };
}

/** A cashier for {@link makeOrder} with balance 5 000.00, card and Guanaitong enabled. */
export function makeCashier(overrides: Partial<CashierView> = {}): CashierView {
  return {
    order: makeOrder(),
    methods: [
      { method: 'balance', enabled: true, balance_fen: 500_000, note: null },
      { method: 'card', enabled: true, balance_fen: null, note: '招商银行 尾号0000' },
      { method: 'guanaitong', enabled: true, balance_fen: null, note: null },
      { method: 'alipay', enabled: false, balance_fen: null, note: '暂未开通' },
      { method: 'wechat', enabled: false, balance_fen: null, note: '暂未开通' },
    ],
    pin_locked: false,
    pin_locked_until: null,
    server_time: SERVER_NOW,
    ...overrides,
  };
}

/** The demo user's bound card (SPEC §10): 招商银行 …0000. */
export const DEMO_CARD: CardView = { id: 'CARD-DEMO-001', bank_name: '招商银行', masked_no: '6214 **** **** 0000', last4: '0000' };

/** A card bound later (newer), …2222. */
export const NEW_CARD: CardView = { id: 'CARD-NEW-002', bank_name: '招商银行', masked_no: '6214 **** **** 2222', last4: '2222' };

/** An attempt of {@link makeOrder}'s self-pay share. */
export function makeAttempt(overrides: Partial<AttemptView> = {}): AttemptView {
  return { id: 'PA1', method: 'card', status: 'submitted', amount_fen: 24_692, failure_reason: null, created_at: SERVER_NOW, ...overrides };
}

/** The quota picker of {@link makeOrder}: one asset that can pay ¥246.92 and one that cannot; 55 s to choose. */
export function makePick(overrides: Partial<GuanaitongPickView> = {}): GuanaitongPickView {
  return {
    order_no: 'ZF20261122100000123456',
    amount_fen: 24_692,
    expires_at: new Date(Date.parse(SERVER_NOW) + 55_000).toISOString(),
    assets: [
      { account_openid: 'QA-MED-01', name: '医疗福利额度', balance_fen: 200_000 },
      { account_openid: 'QA-CHK-02', name: '健康体检额度', balance_fen: 10_000 },
    ],
    ...overrides,
  };
}
