// Starts the provider simulators for `pnpm dev` and returns the BFF environment that points at them.
// Each provider adds itself here as it lands: one `start…` function below and one entry in `STARTERS`.
import { createGuanaitongSimulator } from './guanaitong/simulator.ts';
import { testConfig } from '../src/env.ts';
import { PAYZERO_NOTIFY_PATH } from '../src/providers/payzero/notify.ts';
import { PAYZERO_SIMULATOR_DEFAULTS, createPayzeroSimulator } from './payzero/simulator.ts';

export interface DevSimulators {
  env: Record<string, string>;
  summary: string;
  close(): Promise<void>;
}

interface DevOptions {
  bffUrl: string;
  walletUrl: string;
}

/** Payzero QuickPay on :8791 in real time (SPEC §10 cards: …0000 paid after 1 s, …1111 declined, …2222 paid after 8 s). */
async function startPayzero(opts: DevOptions): Promise<DevSimulators> {
  const sim = createPayzeroSimulator({ ...PAYZERO_SIMULATOR_DEFAULTS, timeScale: 1, notifyUrl: `${opts.bffUrl}${PAYZERO_NOTIFY_PATH}` });
  const started = await sim.start(8791);
  return {
    env: {
      PAYZERO_BASE_URL: started.url,
      PAYZERO_USERNAME: PAYZERO_SIMULATOR_DEFAULTS.username,
      PAYZERO_PASSWORD: PAYZERO_SIMULATOR_DEFAULTS.password,
      PAYZERO_SIGN_TOKEN: PAYZERO_SIMULATOR_DEFAULTS.signToken,
    },
    summary: `Payzero ${started.url} (cards …0000 paid 1 s, …1111 declined, …2222 paid 8 s)`,
    close: started.close,
  };
}

/**
 * Guanaitong on :8792 in real time (SPEC §10: any login accepted; 1 000.00 points and two quota assets). Its login
 * and cashier pages are for the browser, at localhost like the H5; the BFF calls it at 127.0.0.1.
 */
async function startGuanaitong(): Promise<DevSimulators> {
  // The simulator answers with the development credentials of env.ts (what `pnpm dev`'s BFF uses).
  const { appid, appsecret, sellerAppid } = testConfig().guanaitong;
  const sim = createGuanaitongSimulator({ appid, appsecret, sellerAppid, timeScale: 1, publicUrl: 'http://localhost:8792' });
  const started = await sim.start(8792);
  return {
    env: { GAT_BASE_URL: started.url, GAT_APPID: appid, GAT_APPSECRET: appsecret, GAT_SELLER_APPID: sellerAppid },
    summary: 'Guanaitong http://localhost:8792 (any login; 1 000.00 points, two quota assets)',
    close: started.close,
  };
}

const STARTERS: Array<(opts: DevOptions) => Promise<DevSimulators>> = [startPayzero, startGuanaitong];

export async function startSimulators(opts: DevOptions): Promise<DevSimulators> {
  const started: DevSimulators[] = [];
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close();
  };
  try {
    for (const start of STARTERS) started.push(await start(opts));
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    env: Object.assign({}, ...started.map((s) => s.env)) as Record<string, string>,
    summary: started.map((s) => s.summary).join(' · ') || 'none',
    close: closeAll,
  };
}
