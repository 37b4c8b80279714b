/**
 * `npm start`: reads the settings, starts the lab, and stops it cleanly on
 * SIGINT/SIGTERM (WebSockets hear 1001, streams end, the process exits within 2 s).
 */
import { parseArgs } from 'node:util';
import { build, listen } from './app.ts';
import { helpText, loadConfig } from './config.ts';
import { ConfigError } from './setting-parsers.ts';
import type { LabCertificate } from './http2/certificate.ts';
import { EXPERIMENT_MAX_STREAMS } from './http2/listener.ts';

/** The longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_MS = 2000;

async function main(): Promise<void> {
  // A closed log pipe (`npm start | head -1`) must not take the lab down with it.
  process.stdout.on('error', () => {});
  const args = commandLine(process.argv.slice(2));
  if ('problem' in args) {
    console.error(`Wirelab cannot start: ${args.problem}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(helpText());
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Wirelab cannot start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const lab = await build(config);
  const { app } = lab;
  let ports;
  try {
    ports = await listen(lab);
  } catch (error) {
    const reason = listenFailure(error as NodeJS.ErrnoException, config.host, config.port);
    if (!reason) throw error;
    console.error(`Wirelab cannot start: ${reason}`);
    process.exit(2);
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`Wirelab listening on http://${host}:${ports.main}`);
  const extra = Object.entries(ports.extra)
    .map(([name, port]) => `${name} ${port}`)
    .join(', ');
  if (extra) console.log(`Extra ports: ${extra}`);
  if (ports.tls && lab.ctx.certificate) {
    // A browser speaks HTTP/2 only over TLS, so the HTTPS URL is the one that shows it.
    const name = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
    console.log(
      `HTTP/2 (and HTTP/1.1) over TLS: https://${name}:${ports.tls.main}   ` +
        `HTTP/1.1 only over TLS: https://${name}:${ports.tls.h1}   ` +
        `HTTP/2 experiment (${EXPERIMENT_MAX_STREAMS} streams): https://${name}:${ports.tls.experiment}`,
    );
    console.log(certificateNote(lab.ctx.certificate));
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Wirelab: ${signal}, closing connections`);
    setTimeout(() => process.exit(0), SHUTDOWN_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error) => {
        console.error('Wirelab: error while closing', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The command line: `--help` (or `-h`) and nothing else, since every setting is an
 * environment variable (config.ts). Anything else is named back to the user.
 */
function commandLine(argv: string[]): { help: boolean } | { problem: string } {
  try {
    const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    return { help: values.help === true };
  } catch (error) {
    const reason = (error as Error).message.split('. ')[0].replace(/\.$/, '');
    return {
      problem: `${reason}: npm start takes only --help, and every setting is an environment variable (npm start -- --help lists them)`,
    };
  }
}

/** One sentence for a listen() that failed for a reason the user can fix, or undefined. */
function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): string | undefined {
  switch (error.code) {
    case 'EADDRINUSE':
      return (
        `port ${port} on ${host} is taken (is another Wirelab running?): stop that program, or choose ` +
        `another port, e.g. PORT=${port === 65535 ? 3000 : port + 100} (PORT=0 picks a free one)`
      );
    case 'EACCES':
      return `this user may not listen on port ${port} (ports below 1024 need root): choose another, e.g. PORT=3000`;
    case 'EADDRNOTAVAIL':
      return `HOST=${host} is not an address of this machine: use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST=${host} is not a name this machine can resolve: use an address such as 127.0.0.1 or 0.0.0.0`;
    default:
      return undefined;
  }
}

/** What a browser will say about the certificate, and how to get past it once. */
function certificateNote(certificate: LabCertificate): string {
  if (certificate.source === 'configured')
    return `TLS certificate: ${certificate.certPath} (TLS_CERT), valid until ${certificate.notAfter.toISOString().slice(0, 10)}.`;
  return [
    `TLS certificate: self-signed by this lab (${certificate.source === 'created' ? 'made now' : 'kept'} ` +
      `in .wirelab/tls/, for ${certificate.names.join(', ')}).`,
    '  Your browser will say the connection is not private (NET::ERR_CERT_AUTHORITY_INVALID): that is this certificate,',
    '  which no authority signed. Choose "Advanced", then "Proceed" once. Or start Chromium with',
    `  --ignore-certificate-errors-spki-list=${certificate.spkiSha256}`,
  ].join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
