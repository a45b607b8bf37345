// Supplies for the subjects: sessions and orders made through the API, or open orders written straight into the
// database (by the raw-driver server) and sessions that resume them.
import { buildSignedLink } from '@zf/shared/partner';
import { DEMO } from '../../src/modules/demo/demo.seed.ts';
import { createOrders, openSessions, type BenchUser, type Ready, type Server } from './bff.ts';
import { receiver } from './context.ts';

/** Supplies: sessions via the API; orders via the API (session + create), or straight into the DB for the raw driver. */
export function makeSupply(base: string, raw: Server) {
  return {
    sessions: (users: BenchUser[], n: number) => openSessions(base, users, n, receiver.url),
    orders: (users: BenchUser[], n: number) => createOrders(base, users, n, receiver.url),
    async rawOrders(users: BenchUser[], n: number, events = false): Promise<Array<{ orderNo: string; referNo: string; claimNo: string }>> {
      const out: Array<{ orderNo: string; referNo: string; claimNo: string }> = [];
      for (let done = 0; done < n; done += 5000) {
        const res = await fetch(`${raw.url}/raw/seed-orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: Math.min(5000, n - done), users, callback: receiver.url, events }),
        });
        if (!res.ok) throw new Error(`raw seed: ${res.status} ${await res.text()}`);
        out.push(...((await res.json()) as typeof out));
      }
      return out;
    },
  };
}

/** Sessions for orders written straight into the DB: a signed link with the order's refer_no resumes it. */
export async function sessionsFor(
  base: string,
  orders: Array<{ orderNo: string; referNo: string; claimNo: string }>,
  users: BenchUser[],
): Promise<Ready[]> {
  const byClaim = new Map(users.map((u) => [u.claimNo, u]));
  const out: Ready[] = [];
  const queue = [...orders];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        const link = buildSignedLink(
          'http://127.0.0.1/wallet/index.html',
          { partner_id: DEMO.partnerId, amout: '1.00', refer_no: o.referNo, claim_no: o.claimNo, callback: receiver.url },
          DEMO.linkSecret,
        );
        const res = await fetch(`${base}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ params: Object.fromEntries(new URLSearchParams(link.split('?')[1])) }),
        });
        const j = (await res.json()) as { token: string; next: { page: string; order_no?: string } };
        if (res.status !== 200 || j.next.order_no !== o.orderNo)
          throw new Error(`session for ${o.orderNo}: ${res.status} ${JSON.stringify(j)}`);
        out.push({ token: j.token, user: byClaim.get(o.claimNo)!, orderNo: o.orderNo });
      }
    }),
  );
  return out;
}

export type Supply = ReturnType<typeof makeSupply>;
