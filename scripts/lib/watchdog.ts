// The watchdog of the throwaway MariaDB: kills the server and removes its folder if the owning process disappears.
import { spawn, type ChildProcess } from 'node:child_process';

export function startWatchdog(serverPid: number, dir: string): ChildProcess | null {
  const code = `
    const [ownerPid, serverPid, dir] = process.argv.slice(1);
    const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
    const timer = setInterval(() => {
      if (!alive(serverPid)) { clearInterval(timer); return; }
      if (alive(ownerPid)) return;
      try { process.kill(Number(serverPid), 'SIGKILL'); } catch {}
      setTimeout(() => { try { require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {} process.exit(0); }, 500);
      clearInterval(timer);
    }, 1000);
  `;
  try {
    const wd = spawn(process.execPath, ['-e', code, String(process.pid), String(serverPid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    wd.unref();
    return wd;
  } catch {
    return null;
  }
}
