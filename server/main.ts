/**
 * `npm start`: reads the settings, starts the lab, and stops it cleanly on
 * SIGINT/SIGTERM (WebSockets hear 1001, streams end, the process exits within 2 s).
 */
import { build } from './app.ts';
import { ConfigError, helpText, loadConfig } from './config.ts';

/** The longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_MS = 2000;

async function main(): Promise<void> {
  // A closed log pipe (`npm start | head -1`) must not take the lab down with it.
  process.stdout.on('error', () => {});
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
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
  const { app } = await build(config);
  // A deep backlog: the bench opens thousands of connections at once, and the
  // default 511 drops SYNs (see FIELD-NOTES.md).
  await app.listen({ host: config.host, port: config.port, backlog: 4096 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`Wirelab listening on http://${host}:${port}`);

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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
