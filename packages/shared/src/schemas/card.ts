// Bound bank cards (绑卡): the add-card request with its checks (Luhn, GB 11643 ID check digit, mainland mobile),
// the card list the cashier shows, and the card-pay request. Isomorphic: the H5 form runs the same checks.
import { z } from 'zod';

/** Digits only: spaces and dashes the user typed between groups are dropped before any check. */
export function normalizeDigits(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

/** True when `digits` (only 0-9) passes the Luhn mod-10 check. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * True for an 18-character resident ID number (GB 11643-1999): 17 digits, a real birth date at positions 7–14,
 * and the ISO 7064 MOD 11-2 check character (`X` for 10; a lower-case `x` is accepted).
 */
export function isValidChineseIdNumber(raw: string): boolean {
  const id = raw.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] === id[17];
}

/** `6214 **** **** 2222`: the first 4 and last 4 digits, whatever the length (the length is not revealed). */
export function maskCardNo(digits: string): string {
  return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
}

/** `138****8000`. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** Holder name: 2–20 Chinese characters, the middle dot allowed (e.g. 阿依古丽·买买提). */
export const HOLDER_NAME_PATTERN = /^[\u4e00-\u9fa5][\u4e00-\u9fa5·]{0,18}[\u4e00-\u9fa5]$/;
/** Mainland mobile number. */
export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;

/** POST /api/cards. The card and ID numbers are checked, masked and dropped: the BFF never stores them. */
export const AddCardRequest = z.object({
  holder_name: z.string().trim().regex(HOLDER_NAME_PATTERN),
  id_number: z.string().trim().refine(isValidChineseIdNumber, 'id_number'),
  card_no: z
    .string()
    .max(32)
    .transform(normalizeDigits)
    .refine((v) => /^\d{12,19}$/.test(v) && isLuhnValid(v), 'card_no'),
  phone: z.string().trim().regex(MOBILE_PATTERN),
});
export type AddCardRequest = z.infer<typeof AddCardRequest>;

/** A bound card as the H5 shows it: never more than the bank, a masked number and the last 4 digits. */
export const CardView = z.object({
  id: z.string(),
  bank_name: z.string(),
  /** `6214 **** **** 2222` */
  masked_no: z.string(),
  last4: z.string().regex(/^\d{4}$/),
  /** The last final payment with this card was declined by the bank: not to be pre-selected. */
  last_declined: z.boolean().optional(),
});
export type CardView = z.infer<typeof CardView>;

/** GET /api/cards: the most recently successful first, then newest; a card whose last payment was declined last. */
export const CardList = z.object({ cards: z.array(CardView) });
export type CardList = z.infer<typeof CardList>;

/** POST /api/cards answers the stored card (201, or 200 when this user had bound the same card before). */
export const AddCardResponse = z.object({ card: CardView, created: z.boolean() });
export type AddCardResponse = z.infer<typeof AddCardResponse>;

/**
 * POST /api/orders/:orderNo/pay/card; the answer is a `PayResponse` (attempt `submitted`, HTTP 202). Every card
 * payment is confirmed with the payment PIN; `confirm_supersede` as for the balance (ZF0200).
 */
export const CardPayRequest = z.object({
  card_id: z.string().min(1).max(40),
  pin: z.string().regex(/^\d{6}$/),
  confirm_supersede: z.boolean().optional(),
});
export type CardPayRequest = z.infer<typeof CardPayRequest>;

/** The 6-digit SMS code (Payzero's card-agreement signing, or a PIN set/reset check). */
export const SmsCode = z.string().regex(/^\d{6}$/);

/**
 * POST /api/cards answers 202 with this: the card's details went to Payzero, which sent an SMS code to the card's
 * phone; confirm with POST /api/cards/confirm before `expires_at`.
 */
export const CardBindChallenge = z.object({ binding_id: z.string(), phone_masked: z.string(), expires_at: z.string() });
export type CardBindChallenge = z.infer<typeof CardBindChallenge>;

/** POST /api/cards: 202 `{binding}` (an SMS code is on its way), or 200 `{card, created: false}` for a card already bound. */
export const StartCardBindResponse = z.union([z.object({ binding: CardBindChallenge }), AddCardResponse]);
export type StartCardBindResponse = z.infer<typeof StartCardBindResponse>;

/** POST /api/cards/confirm: the SMS code of a binding; answers an `AddCardResponse`. */
export const ConfirmCardRequest = z.object({ binding_id: z.string().min(1).max(40), sms_code: SmsCode });
export type ConfirmCardRequest = z.infer<typeof ConfirmCardRequest>;

/** POST /api/pin/sms: send a code to the phone of one of the user's bound cards, to set or reset the PIN. */
export const PinSmsRequest = z.object({ card_id: z.string().min(1).max(40) });
export type PinSmsRequest = z.infer<typeof PinSmsRequest>;

/** The answer of POST /api/pin/sms. */
export const PinSmsChallenge = z.object({ challenge_id: z.string(), phone_masked: z.string(), expires_at: z.string() });
export type PinSmsChallenge = z.infer<typeof PinSmsChallenge>;

/** PUT /api/pin: set (or reset a forgotten / locked) payment PIN, entered twice, confirmed by the SMS code. */
export const SetPinRequest = z.object({
  challenge_id: z.string().min(1).max(40),
  sms_code: SmsCode,
  pin: z.string().regex(/^\d{6}$/),
  pin_confirm: z.string().regex(/^\d{6}$/),
});
export type SetPinRequest = z.infer<typeof SetPinRequest>;
