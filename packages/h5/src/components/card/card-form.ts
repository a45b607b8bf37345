// The add-card form's values and its client-side checks: the shared `AddCardRequest` (Luhn, GB 11643 ID check
// character, mobile) decides; this file only says in Chinese which field is wrong, so nothing the BFF would refuse
// is ever sent.
import { AddCardRequest, normalizeDigits } from '@zf/shared';

/** What the user typed (the card number may contain the spaces the input groups it with). */
export interface CardFormValues {
  holder_name: string;
  id_number: string;
  card_no: string;
  phone: string;
}

export type CardField = keyof CardFormValues;

/** One message per wrong field. */
export type CardFormErrors = Partial<Record<CardField, string>>;

/** An empty form. */
export const emptyCardForm = (): CardFormValues => ({ holder_name: '', id_number: '', card_no: '', phone: '' });

const REQUIRED: Record<CardField, string> = {
  holder_name: '请输入持卡人姓名',
  id_number: '请输入身份证号',
  card_no: '请输入银行卡号',
  phone: '请输入银行预留手机号',
};

function invalidText(field: CardField, value: string): string {
  switch (field) {
    case 'holder_name':
      return '持卡人姓名应为 2–20 个汉字';
    case 'id_number':
      return '身份证号不正确，请核对后重新输入';
    case 'card_no': {
      // Luhn catches a mistyped digit; the length is the more useful hint when it is off.
      return /^\d{12,19}$/.test(normalizeDigits(value)) ? '银行卡号有误，请核对后重新输入' : '银行卡号应为 12–19 位数字';
    }
    case 'phone':
      return '请输入正确的 11 位手机号';
  }
}

/**
 * Checks the form with the shared `AddCardRequest` (name, GB 11643 ID number, Luhn card number, mobile): the request
 * to send, or a message per wrong field.
 */
export function validateCardForm(values: CardFormValues): { ok: true; request: AddCardRequest } | { ok: false; errors: CardFormErrors } {
  const parsed = AddCardRequest.safeParse(values);
  if (parsed.success) return { ok: true, request: parsed.data };
  const errors: CardFormErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as CardField;
    if (errors[field] !== undefined) continue;
    const value = values[field];
    errors[field] = value.trim() === '' ? REQUIRED[field] : invalidText(field, value);
  }
  return { ok: false, errors };
}

/** The card number as typed, grouped by 4 digits (`6214 8300 0007 2222`), at most 19 digits. */
export function formatCardNoInput(raw: string): string {
  return raw
    .replace(/\D/g, '')
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}
