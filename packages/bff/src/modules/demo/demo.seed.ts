// SPEC §10 demo data, like a payment provider's test cards: dev and tests only (production refuses to start with it).
import { inTransaction } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { Accounts, transfer } from '../../ledger/ledger.ts';
import { hashPin } from '../../lib/pin-hash.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { shanghaiDate } from '../policy/policy.service.ts';
import { setThresholds } from '../quota/quota-book.repository.ts';
import { fundCoverage } from '../policy/policy-coverage.ts';

export const DEMO = {
  partnerId: 'demo',
  linkSecret: 'demo-link-secret',
  apiSecret: 'demo-api-secret',
  callbackSecret: 'whsec_ZGVtby1jYWxsYmFjay1zZWNyZXQ=',
  // Any port on loopback (the demo partner page, test endpoints); our own port is refused regardless.
  callbackHosts: ['localhost:*', '127.0.0.1:*'],
  pin: '123456',
  admin: { username: 'admin', password: 'admin123' },
  users: {
    zhangsan: { id: 'U-DEMO-001', name: '张三', claimNo: 'CLM-DEMO-001', balanceFen: 500_000 },
    lisi: { id: 'U-DEMO-002', name: '李四', claimNo: 'CLM-DEMO-002', balanceFen: 0 },
    wangwu: { id: 'U-DEMO-003', name: '王五', claimNo: 'CLM-DEMO-003', balanceFen: 100 },
    /** Y = 0: a CPIC policy that pays 100 % with no deductible, so the insurer pays everything. */
    zhaoliu: { id: 'U-DEMO-004', name: '赵六', claimNo: 'CLM-DEMO-004', balanceFen: 0 },
    /** No payment PIN and no card yet: binds a card (SMS) and sets the PIN at the cashier. */
    sunqi: { id: 'U-DEMO-005', name: '孙七', claimNo: 'CLM-DEMO-005', balanceFen: 0, noPin: true },
  },
  quota: {
    PICC: { name: '中国人民财产保险', rechargeFen: 100_000_000 },
    PAIC: { name: '中国平安财产保险', rechargeFen: 10_000 },
    CPIC: { name: '中国太平洋财产保险', rechargeFen: 20_000_000 },
  },
  clearingFen: 5_000_000,
  /** Quota alert levels (warning, critical) for PICC: 500 000.00 and 100 000.00 of its 1 000 000.00. */
  quotaLevels: { PICC: { warningFen: 50_000_000, criticalFen: 10_000_000 } },
} as const;

const DAY = 86_400_000;
const PRODUCTS: Record<keyof typeof DEMO.quota, string> = { PICC: '人保健康医疗险', PAIC: '平安门诊无忧', CPIC: '太平洋全额直付医疗险' };

/** Inserts the demo data once (a second run changes nothing). Money enters through `world`, like everything else. */
export async function seedDemo(deps: Deps): Promise<boolean> {
  const { db, clock, quota } = deps;
  if (await db.selectFrom('partners').select('id').where('id', '=', DEMO.partnerId).executeTakeFirst()) return false;
  const now = clock.now();
  const pinHash = hashPin(deps.config.pin, DEMO.pin);
  const adminHash = await hashSecret(DEMO.admin.password);
  const from = shanghaiDate(now - 180 * DAY);
  const to = shanghaiDate(now + 365 * DAY);
  const expired = shanghaiDate(now - DAY);

  for (const [ic, q] of Object.entries(DEMO.quota)) {
    await quota.upsertInsurer(ic, q.name);
    await quota.recharge(ic, q.rechargeFen, `seed:${ic}`, now);
  }

  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('partners')
      .values({
        id: DEMO.partnerId,
        name: '演示合作方（药房）',
        link_secret: DEMO.linkSecret,
        api_secret: DEMO.apiSecret,
        callback_secret: DEMO.callbackSecret,
        callback_hosts: JSON.stringify(DEMO.callbackHosts),
        is_demo: 1,
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('admin_users')
      .values({ username: DEMO.admin.username, password_hash: adminHash, is_demo: 1, role: 'finance', created_at: now })
      .execute();
    for (const u of Object.values(DEMO.users)) {
      await trx
        .insertInto('users')
        .values({ id: u.id, name: u.name, pin_hash: 'noPin' in u ? null : pinHash, pin_locked_at: null, created_at: now })
        .execute();
      await trx.insertInto('claims').values({ claim_no: u.claimNo, user_id: u.id, partner_id: DEMO.partnerId, created_at: now }).execute();
      if (u.balanceFen > 0)
        await transfer(trx, {
          key: `seed:wallet:${u.id}`,
          from: Accounts.world,
          to: Accounts.userWallet(u.id),
          amountFen: u.balanceFen,
          memo: 'demo wallet top-up',
          now,
        });
    }
    const policy = (
      policy_no: string,
      user_id: string,
      ic_code: keyof typeof DEMO.quota,
      ratio_bp: number,
      deductible_fen: number,
      coverage_left_fen: number,
      valid_to = to,
    ) => ({
      policy_no,
      user_id,
      ic_code,
      insurer_name: DEMO.quota[ic_code].name,
      product_name: PRODUCTS[ic_code],
      ratio_bp,
      deductible_fen,
      coverage_left_fen,
      valid_from: from,
      valid_to,
      status: 'active' as const,
      created_at: now,
    });
    await trx
      .insertInto('policies')
      .values([
        policy('POL-PICC-001', DEMO.users.zhangsan.id, 'PICC', 8000, 0, 1_000_000),
        policy('POL-PAIC-001', DEMO.users.zhangsan.id, 'PAIC', 10_000, 10_000, 50_000),
        policy('POL-PICC-000', DEMO.users.zhangsan.id, 'PICC', 8000, 0, 1_000_000, expired),
        policy('POL-PICC-002', DEMO.users.lisi.id, 'PICC', 8000, 0, 1_000_000, expired),
        policy('POL-PICC-003', DEMO.users.wangwu.id, 'PICC', 5000, 0, 1_000_000),
        policy('POL-CPIC-004', DEMO.users.zhaoliu.id, 'CPIC', 10_000, 0, 500_000),
        policy('POL-PICC-005', DEMO.users.sunqi.id, 'PICC', 8000, 0, 1_000_000),
      ])
      .execute();
    await trx
      .insertInto('bound_cards')
      .values({
        id: 'CARD-DEMO-001',
        user_id: DEMO.users.zhangsan.id,
        bank_name: '招商银行',
        holder_name: '张三',
        masked_no: '6214 **** **** 0000',
        last4: '0000',
        token: 'demo-card-token-0000',
        phone_masked: '138****8000',
        created_at: now,
      })
      .execute();
    // Each policy's coverage enters the coverage book once; the quota recharges were mirrored in the ledger by
    // quota.recharge above; PICC gets alert levels.
    for (const p of await trx.selectFrom('policies').select(['policy_no', 'coverage_left_fen']).execute()) await fundCoverage(trx, p, now);
    await setThresholds(trx, 'PICC', DEMO.quotaLevels.PICC.warningFen, DEMO.quotaLevels.PICC.criticalFen, now);
    await transfer(trx, {
      key: 'seed:clearing',
      from: Accounts.world,
      to: Accounts.clearing,
      amountFen: DEMO.clearingFen,
      memo: 'company clearing ledger funding',
      now,
    });
  });
  return true;
}
