// The partner API secret from the console (issue 8 / 10): finance rotates it like the link and callback secrets — shown
// once, audited without the secret, the old one still signing within the overlap window and refused after it; a
// partner created in the console gets one too.
import { expect, it } from 'vitest';
import { auditCount, createRoleAdmins, signInAs } from '../../../testing/admin.ts';
import { describeEachDatabase, type TestContext } from '../../../testing/harness.ts';
import { partnerCall } from '../../../testing/partner-api.ts';
import { DEMO } from '../demo/demo.seed.ts';

const query = (ctx: TestContext, secret: string, partnerId: string = DEMO.partnerId) =>
  partnerCall(ctx.app, ctx.clock.now(), 'GET', '/api/partner/v1/orders?refer_no=REF-NONE', undefined, { secret, partnerId });

describeEachDatabase('admin console: partner API secret', (get) => {
  it('rotated by finance: both secrets sign within the overlap, only the new one after; never in the audit log', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const [op, fin] = [await signInAs(ctx, 'op'), await signInAs(ctx, 'fin')];
    expect((await op('POST', '/api/admin/partners/demo/rotate', { which: 'api' })).body.code).toBe('ZF0261');
    expect((await query(ctx, DEMO.apiSecret)).status).toBe(200);

    const audits = await auditCount(ctx);
    const rotated = await fin('POST', '/api/admin/partners/demo/rotate', { which: 'api' });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    expect(secret).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    const overlapUntil = ctx.clock.now() + ctx.deps.config.admin.secretOverlapMs;
    expect(rotated.body.overlap_until).toBe(overlapUntil);
    expect((await fin('GET', '/api/admin/partners')).body.items[0]).toMatchObject({
      id: 'demo',
      api_overlap_until: overlapUntil,
      has_api_secret: true,
    });
    expect(await auditCount(ctx)).toBe(audits + 1);
    const audit = (await fin('GET', '/api/admin/audit?action=partner.rotate_api_secret')).body.items;
    expect(audit).toMatchObject([{ actor: 'fin', role: 'finance', target: 'partner:demo' }]);
    expect(JSON.stringify(await ctx.deps.db.selectFrom('audit_log').selectAll().execute())).not.toContain(secret);
    // The secret is never shown again.
    expect(JSON.stringify((await fin('GET', '/api/admin/partners')).body)).not.toContain(secret);

    expect((await query(ctx, DEMO.apiSecret)).status).toBe(200);
    expect((await query(ctx, secret)).status).toBe(200);
    expect((await query(ctx, 'not-the-secret')).body.code).toBe('ZF0220');
    ctx.clock.advance(ctx.deps.config.admin.secretOverlapMs - 1000);
    expect((await query(ctx, DEMO.apiSecret)).status).toBe(200);
    ctx.clock.advance(2000);
    expect((await query(ctx, DEMO.apiSecret)).body.code).toBe('ZF0220');
    expect((await query(ctx, secret)).status).toBe(200);
  });

  it('a second rotation ends the first overlap at once; a partner created in the console gets its own API secret', async () => {
    const ctx = get();
    await createRoleAdmins(ctx);
    const fin = await signInAs(ctx, 'fin');
    const first = (await fin('POST', '/api/admin/partners/demo/rotate', { which: 'api' })).body.secret as string;
    const second = (await fin('POST', '/api/admin/partners/demo/rotate', { which: 'api' })).body.secret as string;
    expect((await query(ctx, DEMO.apiSecret)).body.code).toBe('ZF0220');
    expect((await query(ctx, first)).status).toBe(200);
    expect((await query(ctx, second)).status).toBe(200);

    const created = await fin('POST', '/api/admin/partners', { id: 'acme', name: '某药房', callback_hosts: ['127.0.0.1'] });
    expect(created.body.api_secret).toMatch(/^pk_/);
    expect((await query(ctx, created.body.api_secret as string, 'acme')).status).toBe(200);
    expect((await query(ctx, second, 'acme')).body.code).toBe('ZF0220');
  });
});
