/**
 * `npm start`: reads the settings, starts the lab, and stops it cleanly on
 * SIGINT/SIGTERM (WebSockets hear 1001, streams end, the process exits within 2 s).
 */
import { build, listen } from './app.ts';
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
  const lab = await build(config);
  const { app } = lab;
  const ports = await listen(lab);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`Wirelab listening on http://${host}:${ports.main}`);
  const extra = Object.entries(ports.extra).map(([name, port]) => `${name} ${port}`).join(', ');
  if (extra) console.log(`Extra ports: ${extra}`);

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
