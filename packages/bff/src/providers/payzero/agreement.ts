// Payzero card-agreement signing (协议支付签约): the SMS check that binds a payer's card, and a fresh SMS check on a
// signed agreement. ASSUMPTION: the public QuickPay document names "已签约的银行卡" (50010) and "协议" (50001) but does
// not publish the signing calls (it sends merchants to its console); these paths, fields and the 50101/50102 codes are
// ours, kept in this one file and mirrored by the simulator (dev/payzero), so the real calls replace them in one place.
import { z } from 'zod';

/** The signing endpoints (the simulator serves the same). */
export const PZ_AGREEMENT_PATHS = {
  /** Sends an SMS code to the card's reserved phone for a new agreement: `{payerName, payerNumber, payerCardNo, payerPhone}`. */
  apply: '/agreement/apply',
  /** Sends an SMS code to the phone of a signed agreement (a second factor for account changes): `{agreementNo}`. */
  sms: '/agreement/sms',
  /** Checks the code of an `apply` or `sms` request: `{requestNo, smsCode}` → the agreement number. */
  confirm: '/agreement/confirm',
} as const;

/** Business codes of the signing calls (ASSUMPTION, see the header). */
export const PZ_AGREEMENT_CODES = {
  /** The SMS code does not match (tries remain). */
  SMS_CODE_WRONG: '50101',
  /** The request expired, was used, or ran out of tries: start again. */
  SMS_CODE_EXPIRED: '50102',
} as const;

/** How long an SMS code of the simulator lives, and how many wrong codes it takes (the BFF keeps its own limits). */
export const PZ_SMS_TTL_MS = 5 * 60_000;
export const PZ_SMS_MAX_TRIES = 3;

const requestData = z.object({ requestNo: z.string().min(1).max(64), phoneMasked: z.string().nullish() });
const confirmData = z.object({ agreementNo: z.string().min(4).max(40) });

/** The card details Payzero needs to sign an agreement (sent once, never stored by us). */
export interface AgreementApplyInput {
  payerName: string;
  payerNumber: string;
  payerCardNo: string;
  payerPhone: string;
}

type Call = <S extends z.ZodType>(method: 'GET' | 'POST', path: string, request: { body?: unknown }, schema: S) => Promise<z.output<S>>;

/** The signing calls, on the client's authenticated transport (`PayzeroClient.agreements`). */
export class PayzeroAgreements {
  constructor(private readonly call: Call) {}

  /** Starts signing a card: Payzero texts a code to `payerPhone`. */
  apply(input: AgreementApplyInput): Promise<z.output<typeof requestData>> {
    return this.call('POST', PZ_AGREEMENT_PATHS.apply, { body: input }, requestData);
  }

  /** Texts a fresh code to the phone of a signed agreement. */
  sendSms(agreementNo: string): Promise<z.output<typeof requestData>> {
    return this.call('POST', PZ_AGREEMENT_PATHS.sms, { body: { agreementNo } }, requestData);
  }

  /** Checks the code; answers the agreement number (new for `apply`, the same for `sendSms`). */
  confirm(requestNo: string, smsCode: string): Promise<z.output<typeof confirmData>> {
    return this.call('POST', PZ_AGREEMENT_PATHS.confirm, { body: { requestNo, smsCode } }, confirmData);
  }
}
