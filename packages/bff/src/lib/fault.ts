// Fault injection for crash tests (issue 12): FAULT_KILL_AT names steps at which this process kills itself with
// SIGKILL — no cleanup, no flush, like a power cut. Refused in production by env.ts.

/** Kills the process at once when `point` is one of the configured kill points; otherwise does nothing. */
export function faultPoint(config: { faultKillAt: readonly string[] }, point: string): void {
  if (config.faultKillAt.length && config.faultKillAt.includes(point)) process.kill(process.pid, 'SIGKILL');
}
