import { spawn } from 'node:child_process';

/** Debian's chromium, headless; CHROMIUM overrides the binary. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';


/** Runs Chromium in its own process group, so a hang is ended with all its helpers. */
export function screenshot(url: string, png: string, profile: string, width: number, height: number): Promise<string> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    `--screenshot=${png}`,
    `--window-size=${width},${height}`,
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, 90_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`chromium exited with ${code ?? signal}:\n${output}`));
    });
  });
}

