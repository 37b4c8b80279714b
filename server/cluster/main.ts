/**
 * `npm run cluster`: several lab processes on one Redis-backed feed, behind nginx,
 * all on loopback (cluster.ts). Prints the one URL to open, the processes and
 * their ports, and where nginx's config is; stops everything on Ctrl-C or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { type Cluster, DEFAULT_PORT, DEFAULT_PROCESSES, DEFAULT_RESTART_DELAY_MS, startCluster } from './cluster.ts';
import { EXAMPLE_OPTIONS, nginxConfig } from './nginx.ts';

const HELP = `Wirelab cluster: several lab processes sharing one feed in Redis, behind nginx.

Usage: npm run cluster -- [--processes N] [--port P]

  --processes N    lab processes behind nginx (default ${DEFAULT_PROCESSES}, at most 16)
  --port P         nginx's port on 127.0.0.1, the URL to open (default ${DEFAULT_PORT}; 0 picks a free one)
  --nginx-example  print the nginx config with placeholder ports (server/cluster/nginx.conf.example) and exit
  --help           this text

It starts, on 127.0.0.1 only: a redis-server, the lab processes (lab-1 ... lab-N,
each \`npm start\` with FEED_STORE=redis://..., PROCESS_NAME, a free PORT,
EXTRA_PORTS=off, TLS_PORT=off, TRUST_PROXY=loopback), a small control server,
and nginx in front, run as you, in the foreground, with its files in a temporary
folder. Other lab settings (TICK_MS, BUFFER_SIZE, HEARTBEAT_MS, CHAT_RATE, ...)
are taken from the environment, as \`npm start\` takes them.

Kill and restart (the /cluster/ page's buttons, POST /cluster/processes/...)
need a control token made for each run: the launcher prints the page's address
with it after #token=, and a curl line that sends it.

A lab process or the redis-server that is killed or crashes is started again
after ${DEFAULT_RESTART_DELAY_MS / 1000} s (Redis comes back empty: the feed starts a new epoch).
Ctrl-C stops all of it.`;

/** A whole number from `min` to `max` given to `flag`, or the sentence that refuses it. */
function wholeNumber(flag: string, raw: string | undefined, fallback: number, [min, max]: [number, number]): number | { error: string } {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
  return { error: `${flag} takes a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}` };
}

/** The options (node:util's parseArgs reads them), or a message saying what is wrong with them. */
function commandLine(argv: string[]): { processes: number; port: number; help: boolean; example: boolean } | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        processes: { type: 'string' },
        port: { type: 'string' },
        'nginx-example': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs says what is wrong in its first sentence ("Unknown option '--x'", "Option '--port <value>' argument missing").
    return { error: `${(error as Error).message.split('. ')[0].replace(/\.$/, '')} (try --help)` };
  }
  const processes = wholeNumber('--processes', values.processes, DEFAULT_PROCESSES, [1, 16]);
  if (typeof processes !== 'number') return processes;
  const port = wholeNumber('--port', values.port, DEFAULT_PORT, [0, 65535]);
  if (typeof port !== 'number') return port;
  return { processes, port, help: values.help === true, example: values['nginx-example'] === true };
}

/** What the launcher prints once everything listens. */
function summary(cluster: Cluster): string {
  const row = (name: string, text: string) => `  ${name.padEnd(14)}${text}`;
  return [
    '',
    `Wirelab cluster: open ${cluster.url}/`,
    row('nginx', `127.0.0.1:${cluster.port}, round robin over ${cluster.labs.length} lab processes, no stickiness`),
    ...cluster.labs.map((lab) => row(lab.name, `http://127.0.0.1:${lab.port}  (pid ${lab.pid})`)),
    row('redis-server', `${cluster.redis.shownUrl}  (pid ${cluster.redis.pid}; a password of this run's own, in the labs' FEED_STORE)`),
    row('cluster page', `${cluster.pageUrl}`),
    row('', 'every process, its traffic and the sum, with Kill and Restart buttons: open this address once in your browser,'),
    row('', "it carries this run's control token after # (never sent to a server); without it the buttons stay off"),
    row('with curl', `curl -X POST -H 'Authorization: Bearer ${cluster.token}' ${cluster.url}/cluster/processes/lab-1/kill`),
    row('nginx config', cluster.nginx.configPath),
    row('nginx logs', `${cluster.nginx.accessLogPath} (which process answered each request), ${cluster.nginx.errorLogPath}`),
    'Ctrl-C stops all of it.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  process.stdout.on('error', () => {}); // `npm run cluster | head` must not take the cluster down
  const args = commandLine(process.argv.slice(2));
  if ('error' in args) {
    console.error(`Wirelab cluster cannot start: ${args.error}`);
    process.exit(2);
  }
  if (args.help) return console.log(HELP);
  if (args.example) return void process.stdout.write(nginxConfig(EXAMPLE_OPTIONS));

  let cluster: Cluster | undefined;
  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C often arrives twice: from the terminal, and relayed by tsx and npm.
      if (Date.now() - stoppingSince < 1000) return;
      // A second Ctrl-C, later: no more waiting (cluster.ts's 'exit' handler kills what is left).
      console.log('Wirelab cluster: stopping now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.log(`Wirelab cluster: ${signal}, stopping nginx, the lab processes and Redis`);
    (cluster?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error) => {
        console.error('Wirelab cluster: error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  console.log(`Wirelab cluster: starting Redis, ${args.processes} lab processes and nginx...`);
  try {
    cluster = await startCluster({ processes: args.processes, port: args.port, log: (line) => console.log(line) });
  } catch (error) {
    console.error(`Wirelab cluster cannot start: ${(error as Error).message}`);
    process.exit(2);
  }
  if (stoppingSince !== undefined) return void (await cluster.close());
  console.log(summary(cluster));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
