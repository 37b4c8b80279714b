/**
 * Debian's nginx, run by the user as a foreground process with a config of the
 * lab's own (nginx.ts): `nginx -p <folder> -c <folder>/nginx.conf -g 'daemon off;'`.
 * Its pid file, logs and temporary files are inside the folder, so it needs no
 * root and leaves no trace in /etc, /run or /var.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ensureProgram, waitForPort } from '../programs.ts';

export interface NginxProcess {
  /** The config file nginx runs with. */
  configPath: string;
  /** Its error log (read it when something is wrong) and access log (one line per request, with the upstream). */
  errorLogPath: string;
  accessLogPath: string;
  /** Stops nginx (a fast shutdown: open connections are closed) and resolves once it has exited. */
  stop(): Promise<void>;
  /** For the launcher's last moment (process 'exit'): tells nginx to stop, synchronously. */
  killNow(): void;
}

/**
 * Writes `config` to `dir`/nginx.conf and runs nginx on it; resolves once it
 * accepts connections on `port`, rejects with its error log if it exits first.
 */
export async function startNginx({
  dir,
  config,
  port,
  log,
}: {
  dir: string;
  config: string;
  port: number;
  log?: (line: string) => void;
}): Promise<NginxProcess> {
  const binary = ensureProgram('nginx', 'nginx');
  const configPath = path.join(dir, 'nginx.conf');
  const errorLogPath = path.join(dir, 'error.log');
  writeFileSync(configPath, config);
  // As root, nginx's workers drop to "nobody": they must be able to reach the folder
  // (mkdtemp makes it 0700). It holds nothing secret: a config, logs, a pid.
  chmodSync(dir, 0o755);
  // -e: the error log from the first moment, before the config is read (the compiled-in
  // default is /var/log/nginx/error.log, which a user may not open).
  const args = ['-p', dir, '-c', configPath, '-e', errorLogPath, '-g', 'daemon off;'];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!])
    readline.createInterface({ input: stream }).on('line', (line) => log?.(`[nginx] ${line}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = exited.then(() => {
    throw new Error(`nginx exited at start: ${errorLog(errorLogPath) || 'no message'} (config: ${configPath})`);
  });
  await Promise.race([waitForPort(port, 10_000), failed]);
  failed.catch(() => {}); // from here on an exit is a stop, not a failed start
  return {
    configPath,
    errorLogPath,
    accessLogPath: path.join(dir, 'access.log'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM is nginx's fast shutdown: held streams are cut, and their clients reconnect elsewhere.
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(grace);
    },
    killNow() {
      // Not SIGKILL: nginx's workers outlive a killed master and would go on serving the port.
      child.kill('SIGTERM');
    },
  };
}

/** The last lines of nginx's error log, for a failed start. */
function errorLog(file: string): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
}
