// The typed client of the BFF's user API: fetch under /api, Bearer session token, one `unwrap` for errors.
import type {
  AddCardRequest,
  AddCardResponse,
  ConfirmCardRequest,
  PinSmsChallenge,
  SetPinRequest,
  StartCardBindResponse,
  CardList,
  CardPayRequest,
  EntryNext,
  CashierView,
  GuanaitongPayRequest,
  GuanaitongPayResponse,
  GuanaitongPayType,
  GuanaitongPickView,
  GuanaitongStartRequest,
  GuanaitongStartResponse,
  OrderList,
  OrderView,
  PayResponse,
  PolicyList,
  PolicyQuote,
  SessionResponse,
} from '@zf/shared';
import { useSessionStore } from '@/stores/session.ts';
import { ApiError } from './api-error.ts';

/** Where the BFF's API lives, relative to the page (the dev server proxies it; in production the BFF serves both). */
export const API_BASE = '/api';

/** `{ order }`, the answer of order creation and of reading one order. */
export interface OrderEnvelope {
  order: OrderView;
}

/**
 * Turns a response into its JSON body, or throws an {@link ApiError} built from the `{code, reason?,
 * remaining_tries?, request_id?}` body of a non-2xx answer. A 2xx without a JSON body is ZF0130.
 */
export async function unwrap<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const body = await readJson(response);
  if (!response.ok) throw ApiError.fromBody(response.status, body);
  if (body === undefined) throw new ApiError('ZF0130', response.status);
  return body as T;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A proxy's HTML error page or a truncated body: the caller treats "no JSON" as a system error.
    return undefined;
  }
}

async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = useSessionStore().token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    // fetch only rejects when no answer came at all (offline, DNS, aborted): ZF0130, status 0, a network message.
    throw new ApiError('ZF0130', 0, { network: true });
  }
  return unwrap<T>(response);
}

const seg = encodeURIComponent;

/** The user API of the wallet, one function per endpoint. */
export const api = {
  /** Verifies the deep link and opens a session. `params` are all of the link's query parameters. */
  createSession: (params: Record<string, string>) => request<SessionResponse>('POST', '/session', { params }),
  /** Where a stored session should go now (its order may have been created or paid since). */
  entry: () => request<{ next: EntryNext }>('GET', '/entry'),
  /** The claim's valid policies (ZF0040 when there are none). */
  listPolicies: () => request<PolicyList>('GET', '/policies'),
  /** What the insurer and the user pay with this policy. */
  getQuote: (policyNo: string) => request<PolicyQuote>('GET', `/policies/${seg(policyNo)}/quote`),
  /** Creates the order (or returns the open one for this link); may already be settled when Y = 0. */
  createOrder: (policyNo: string) => request<OrderEnvelope>('POST', '/orders', { policy_no: policyNo }),
  /** One order of this session's user. */
  getOrder: (orderNo: string) => request<OrderEnvelope>('GET', `/orders/${seg(orderNo)}`),
  /** The user's payment records. */
  listOrders: () => request<OrderList>('GET', '/orders'),
  /** Everything the cashier shows: order, methods, PIN lock, server time. */
  getCashier: (orderNo: string) => request<CashierView>('GET', `/orders/${seg(orderNo)}/cashier`),
  /**
   * Pays with the wallet balance and the 6-digit PIN; synchronous. `confirmSupersede`: the user chose to pay this way
   * although a Guanaitong trip is pending (else ZF0200).
   */
  payBalance: (orderNo: string, pin: string, confirmSupersede = false) =>
    request<PayResponse>('POST', `/orders/${seg(orderNo)}/pay/balance`, { pin, ...(confirmSupersede ? { confirm_supersede: true } : {}) }),
  /** 更换保单: closes the open order (no attempt in flight) so another policy can be chosen. */
  closeOrder: (orderNo: string) => request<OrderEnvelope>('POST', `/orders/${seg(orderNo)}/close`),
  /** The user's bound cards, newest first. */
  listCards: () => request<CardList>('GET', '/cards'),
  /** Starts binding a card: an SMS code goes to the card's phone (`binding`), or the card was bound already (`card`). */
  addCard: (input: AddCardRequest) => request<StartCardBindResponse>('POST', '/cards', input),
  /** Confirms a binding with its SMS code; ZF0201 (tries left) / ZF0202 (request a new code). */
  confirmCard: (input: ConfirmCardRequest) => request<AddCardResponse>('POST', '/cards/confirm', input),
  /** Removes a bound card; ZF0205 while a payment with it is in flight. */
  removeCard: (cardId: string) => request<undefined>('DELETE', `/cards/${seg(cardId)}`),
  /** Sends an SMS code to a bound card's phone, to set or reset the payment PIN. */
  sendPinSms: (cardId: string) => request<PinSmsChallenge>('POST', '/pin/sms', { card_id: cardId }),
  /** Sets (or resets, unlocking) the payment PIN with the SMS code. */
  setPin: (input: SetPinRequest) => request<{ pin_set: true }>('PUT', '/pin', input),
  /** Pays with a bound card (Payzero) and the payment PIN; 202 with the attempt `submitted`: the result page follows the bank. */
  payCard: (orderNo: string, cardId: string, pin: string, confirmSupersede = false) =>
    request<PayResponse>('POST', `/orders/${seg(orderNo)}/pay/card`, {
      card_id: cardId,
      pin,
      ...(confirmSupersede ? { confirm_supersede: true } : {}),
    } satisfies CardPayRequest),
  /** Starts a Guanaitong payment: where to send the browser to log in (a full navigation away). */
  startGuanaitong: (orderNo: string, payType: GuanaitongPayType) =>
    request<GuanaitongStartResponse>('POST', `/orders/${seg(orderNo)}/pay/guanaitong/start`, {
      pay_type: payType,
    } satisfies GuanaitongStartRequest),
  /** The quota assets to pick from, for the `pick` token Guanaitong's login came back with (no session needed). */
  getGuanaitongPick: (pick: string) => request<GuanaitongPickView>('GET', `/providers/guanaitong/pick?pick=${seg(pick)}`),
  /** Pays from the picked quota asset: answers Guanaitong's cashier URL to send the browser to. */
  payGuanaitongPick: (pick: string, accountOpenid: string) =>
    request<GuanaitongPayResponse>('POST', '/providers/guanaitong/pay', {
      pick,
      account_openid: accountOpenid,
    } satisfies GuanaitongPayRequest),
};
