// `pnpm dev`'s stand-in for the admin WeCom / DingTalk group robot: POST /send takes the markdown JSON the wallet
// pushes (answering {"errcode":0}) and GET / shows the messages received, newest first.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

interface RobotMessage {
  at: number;
  content: string;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] ?? ch);

export function createRobot() {
  const messages: RobotMessage[] = [];
  const app = new Hono()
    .post('/send', async (c) => {
      const body = (await c.req.json().catch(() => null)) as { msgtype?: string; markdown?: { content?: string } } | null;
      if (body?.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string')
        return c.json({ errcode: 40008, errmsg: 'invalid message type' }, 200);
      messages.unshift({ at: Date.now(), content: body.markdown.content });
      if (messages.length > 200) messages.pop();
      return c.json({ errcode: 0, errmsg: 'ok' }, 200);
    })
    .get('/messages', (c) => c.json(messages, 200))
    .get('/', (c) =>
      c.html(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta http-equiv="refresh" content="5"><title>管理员告警群（本地机器人）</title>
<body style="font-family:sans-serif;max-width:720px;margin:auto;padding:12px"><h2>管理员告警群（本地机器人）</h2><p>${messages.length} 条消息，每 5 秒刷新</p>
${messages.map((m) => `<pre style="white-space:pre-wrap;background:#f5f5f5;padding:8px;border-radius:6px">${escape(new Date(m.at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }))}\n${escape(m.content)}</pre>`).join('')}</body>`),
    );
  return { app, messages };
}

export async function startRobot(port: number, hostname = '127.0.0.1') {
  const robot = createRobot();
  const server = serve({ fetch: robot.app.fetch, port, hostname });
  return { ...robot, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
