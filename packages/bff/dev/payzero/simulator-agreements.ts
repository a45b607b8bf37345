// The simulator's card-agreement signing (src/providers/payzero/agreement.ts): an SMS code to the card's phone —
// always the demo code (default 123456, SPEC §10 style) — that expires after 5 min and allows 3 wrong tries.
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../src/lib/clock.ts';
import { PZ_AGREEMENT_CODES, PZ_AGREEMENT_PATHS, PZ_SMS_MAX_TRIES, PZ_SMS_TTL_MS } from '../../src/providers/payzero/agreement.ts';
import type { SimulatedSms } from './simulator-types.ts';
import { SimFailure, envelope, parse, readJson } from './simulator-wire.ts';

interface SmsRequest {
  /** The agreement this request confirms: issued at `apply`, existing for `sms`. */
  agreementNo: string;
  code: string;
  expiresAt: number;
  tries: number;
  used: boolean;
}

const mobile = z.string().regex(/^1[3-9]\d{9}$/);
const applySchema = z.object({
  payerName: z.string().min(1).max(40),
  payerNumber: z.string().regex(/^\d{17}[\dXx]$/),
  payerCardNo: z.string().regex(/^\d{12,19}$/),
  payerPhone: mobile,
});
const smsSchema = z.object({ agreementNo: z.string().regex(/^[A-Za-z0-9_-]{4,40}$/) });
const confirmSchema = z.object({ requestNo: z.string().min(1).max(64), smsCode: z.string().min(1).max(12) });

const mask = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

/**
 * Registers the signing endpoints. Agreement numbers are `pzagr_<hex>_<last 4 digits>`, so the pay endpoints read
 * the card's behaviour from them as from a card number. `sms` accepts any well-formed agreement number ending in 4
 * digits (the demo card's agreement was "signed" before the simulator started) and texts the demo phone.
 */
export function registerAgreementRoutes(app: Hono, ctx: { clock: Clock; smsCode: string; hex(): string; smsLog: SimulatedSms[] }): void {
  const requests = new Map<string, SmsRequest>();
  let seq = 0;
  const send = (agreementNo: string, phone: string) => {
    const requestNo = `PZSMS${String(++seq).padStart(8, '0')}${ctx.hex().slice(0, 8)}`;
    const now = ctx.clock.now();
    requests.set(requestNo, { agreementNo, code: ctx.smsCode, expiresAt: now + PZ_SMS_TTL_MS, tries: 0, used: false });
    ctx.smsLog.push({ requestNo, phone, code: ctx.smsCode, sentAt: now });
    return { requestNo, phoneMasked: mask(phone) };
  };
  const route = (path: string, handler: (c: Context) => Promise<unknown>) => {
    app.post(path, async (c) => c.json(envelope(true, await handler(c))));
  };

  route(PZ_AGREEMENT_PATHS.apply, async (c) => {
    const body = parse(applySchema, await readJson(c));
    return send(`pzagr_${ctx.hex()}_${body.payerCardNo.slice(-4)}`, body.payerPhone);
  });

  route(PZ_AGREEMENT_PATHS.sms, async (c) => {
    const { agreementNo } = parse(smsSchema, await readJson(c));
    if (!/\d{4}$/.test(agreementNo)) throw new SimFailure(200, '50010', '未找到已签约的银行卡');
    return send(agreementNo, '13800138000');
  });

  route(PZ_AGREEMENT_PATHS.confirm, async (c) => {
    const { requestNo, smsCode } = parse(confirmSchema, await readJson(c));
    const request = requests.get(requestNo);
    if (!request || request.used || request.tries >= PZ_SMS_MAX_TRIES || ctx.clock.now() > request.expiresAt) {
      throw new SimFailure(200, PZ_AGREEMENT_CODES.SMS_CODE_EXPIRED, '验证码已失效，请重新获取');
    }
    if (smsCode !== request.code) {
      request.tries++;
      throw new SimFailure(200, PZ_AGREEMENT_CODES.SMS_CODE_WRONG, '验证码错误');
    }
    request.used = true;
    return { agreementNo: request.agreementNo };
  });
}
