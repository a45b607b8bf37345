// Starts the provider simulators for `pnpm dev` and returns the BFF environment that points at them.
// Each provider adds itself here as it lands.

export interface DevSimulators {
  env: Record<string, string>;
  summary: string;
  close(): Promise<void>;
}

export async function startSimulators(_opts: { bffUrl: string; walletUrl: string }): Promise<DevSimulators> {
  return { env: {}, summary: 'none yet', close: async () => {} };
}
