// What the e2e stage needs from the machine: e2e test files, and a Chromium to drive.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { yellow } from './output.ts';

export function hasE2eTests(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (hasE2eTests(p)) return true;
    } else if (entry.endsWith('.e2e.ts')) return true;
  }
  return false;
}

export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    console.log(yellow(`CHROMIUM_PATH=${fromEnv} does not exist`));
  }
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  return null;
}
