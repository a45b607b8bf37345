// Terminal output of the test runner: colours (off without a TTY or with NO_COLOR), banners and durations.

const useColor = !process.env.NO_COLOR && (process.stdout.isTTY || !!process.env.FORCE_COLOR);
export const paint = (code: string, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string) => paint('1', s);
export const red = (s: string) => paint('1;31', s);
export const green = (s: string) => paint('1;32', s);
export const yellow = (s: string) => paint('1;33', s);

export function banner(text: string, color: (s: string) => string = bold): void {
  const line = '='.repeat(Math.max(72, text.length + 4));
  console.log(`\n${color(line)}\n${color(`  ${text}`)}\n${color(line)}`);
}

export function loud(text: string, color: (s: string) => string): void {
  const bar = '!'.repeat(Math.max(72, text.length + 8));
  console.log(`\n${color(bar)}\n${color(`!!  ${text}`)}\n${color(bar)}\n`);
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
