// A partner's secrets in force: the current one, and during a rotation's overlap window also the one it replaced.
import type { Partner } from './session.table.ts';

type Secrets = Pick<
  Partner,
  'link_secret' | 'prev_link_secret' | 'prev_link_secret_until' | 'callback_secret' | 'prev_callback_secret' | 'prev_callback_secret_until'
>;

/** Link secrets a deep link may be signed with now (the current first). */
export function linkSecrets(p: Secrets, now: number): string[] {
  return p.prev_link_secret && Number(p.prev_link_secret_until ?? 0) > now ? [p.link_secret, p.prev_link_secret] : [p.link_secret];
}

/** Callback secrets to sign with now: the new one, plus the old one during the overlap (Standard Webhooks allows several signatures). */
export function callbackSecrets(p: Secrets, now: number): string[] {
  return p.prev_callback_secret && Number(p.prev_callback_secret_until ?? 0) > now
    ? [p.callback_secret, p.prev_callback_secret]
    : [p.callback_secret];
}
