// Partners from the console: create (secrets shown once), disable/enable, the callback allow-list, and secret
// rotation with an overlap window during which the replaced secret is still accepted (links) and signed with (callbacks).
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { isUniqueViolation } from '../../db/database.ts';
import { fail } from '../../http/errors.ts';
import {
  insertPartner,
  listPartners,
  rotatePartnerSecret,
  setPartnerDisabled,
  setPartnerHosts,
} from '../session/partner-admin.repository.ts';
import { findPartner } from '../session/session.repository.ts';
import type { Partner } from '../session/session.table.ts';
import type { AdminActor } from './admin-auth.service.ts';
import { auditedMutation } from './audit.ts';

const newLinkSecret = () => `lk_${randomBytes(24).toString('base64url')}`;
const newCallbackSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const newApiSecret = () => `pk_${randomBytes(32).toString('base64url')}`;

/** A partner as the console shows it: never a secret, only whether a rotation overlap is running. */
export function partnerView(p: Partner, now: number) {
  return {
    id: p.id,
    name: p.name,
    callback_hosts: JSON.parse(p.callback_hosts) as string[],
    is_demo: Boolean(p.is_demo),
    disabled: p.disabled_at !== null,
    link_overlap_until: p.prev_link_secret && Number(p.prev_link_secret_until) > now ? Number(p.prev_link_secret_until) : null,
    callback_overlap_until:
      p.prev_callback_secret && Number(p.prev_callback_secret_until) > now ? Number(p.prev_callback_secret_until) : null,
    api_overlap_until: p.prev_api_secret && Number(p.prev_api_secret_until) > now ? Number(p.prev_api_secret_until) : null,
    has_api_secret: Boolean(p.api_secret),
    created_at: Number(p.created_at),
  };
}

export async function partners(deps: Deps) {
  const now = deps.clock.now();
  return (await listPartners(deps.db)).map((p) => partnerView(p, now));
}

async function mustFind(deps: Deps, id: string): Promise<Partner> {
  return (await findPartner(deps.db, id)) ?? fail('ZF0263', 'partner');
}

export async function createPartner(deps: Deps, actor: AdminActor, input: { id: string; name: string; callback_hosts: string[] }) {
  const linkSecret = newLinkSecret();
  const callbackSecret = newCallbackSecret();
  const apiSecret = newApiSecret();
  try {
    await auditedMutation(deps, actor, 'partner.create', `partner:${input.id}`, async (trx) => {
      await insertPartner(trx, {
        id: input.id,
        name: input.name,
        linkSecret,
        callbackSecret,
        apiSecret,
        hosts: input.callback_hosts,
        now: deps.clock.now(),
      });
      return { before: null, after: { id: input.id, name: input.name, callback_hosts: input.callback_hosts }, result: null };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail('ZF0266');
    throw err;
  }
  // The only time these are shown.
  return {
    partner: partnerView(await mustFind(deps, input.id), deps.clock.now()),
    link_secret: linkSecret,
    callback_secret: callbackSecret,
    api_secret: apiSecret,
  };
}

export async function setDisabled(deps: Deps, actor: AdminActor, id: string, disabled: boolean) {
  const p = await mustFind(deps, id);
  await auditedMutation(deps, actor, disabled ? 'partner.disable' : 'partner.enable', `partner:${id}`, async (trx) => {
    if ((p.disabled_at !== null) === disabled) return null;
    await setPartnerDisabled(trx, id, disabled ? deps.clock.now() : null);
    return { before: { disabled: p.disabled_at !== null }, after: { disabled }, result: null };
  });
  return partnerView(await mustFind(deps, id), deps.clock.now());
}

export async function setHosts(deps: Deps, actor: AdminActor, id: string, hosts: string[]) {
  const p = await mustFind(deps, id);
  const unique = [...new Set(hosts)];
  await auditedMutation(deps, actor, 'partner.hosts', `partner:${id}`, async (trx) => {
    await setPartnerHosts(trx, id, unique);
    return { before: { callback_hosts: JSON.parse(p.callback_hosts) }, after: { callback_hosts: unique }, result: null };
  });
  return partnerView(await mustFind(deps, id), deps.clock.now());
}

/** A new link / callback / partner-API secret, shown once; the replaced one is still accepted until the overlap ends. */
export async function rotateSecret(deps: Deps, actor: AdminActor, id: string, which: 'link' | 'callback' | 'api') {
  const p = await mustFind(deps, id);
  const secret = which === 'link' ? newLinkSecret() : which === 'callback' ? newCallbackSecret() : newApiSecret();
  const overlapUntil = deps.clock.now() + deps.config.admin.secretOverlapMs;
  await auditedMutation(deps, actor, `partner.rotate_${which}_secret`, `partner:${id}`, async (trx) => {
    await rotatePartnerSecret(trx, p, which, secret, overlapUntil);
    // Never the secrets themselves in the audit log.
    return { before: null, after: { which, overlap_until: overlapUntil }, result: null };
  });
  return { partner: partnerView(await mustFind(deps, id), deps.clock.now()), which, secret, overlap_until: overlapUntil };
}
