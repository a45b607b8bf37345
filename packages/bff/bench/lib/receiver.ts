// The partner's callback endpoint on 127.0.0.1: records every delivery (event_id → order, event), answers 200, or
// 503 while an "outage" is on. Deliveries are counted by time so the dispatcher's rate can be read off it.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';

export interface Received {
  orderNo: string;
  event: string;
  seq: number;
}

export class Receiver {
  /** First delivery of each event_id, per tag (the database a run uses: each has its own callback URL). */
  readonly byTag = new Map<string, Map<string, Received>>();
  /** The tag new links get (see `url`). */
  tag = 'default';
  deliveries = 0;
  duplicates = 0;
  refused = 0;
  down = false;
  /** Times (ms) of accepted deliveries, for rates. */
  readonly times: number[] = [];
  private base = '';
  /** The callback URL for the current tag. */
  get url(): string {
    return `${this.base}/${this.tag}`;
  }
  events(tag: string): Map<string, Received> {
    let m = this.byTag.get(tag);
    if (!m) this.byTag.set(tag, (m = new Map()));
    return m;
  }
  private server: ServerType | null = null;

  async start(): Promise<void> {
    const app = new Hono().post('/callback/:tag', async (c) => {
      if (this.down) {
        this.refused++;
        return c.text('outage', 503);
      }
      const body = (await c.req.json()) as { event_id: string; order_no: string; event: string; seq: number };
      this.deliveries++;
      this.times.push(Date.now());
      const events = this.events(c.req.param('tag'));
      if (events.has(body.event_id)) this.duplicates++;
      else events.set(body.event_id, { orderNo: body.order_no, event: body.event, seq: body.seq });
      return c.text('ok');
    });
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        this.base = `http://127.0.0.1:${info.port}/callback`;
        resolve();
      });
    });
  }

  /** Accepted deliveries in [from, to). */
  countBetween(from: number, to: number): number {
    let n = 0;
    for (const t of this.times) if (t >= from && t < to) n++;
    return n;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
