import { createSandbox } from './index';
import { redactUrl } from './lib/push-sender';

/** Standalone start: `node dist/tools/viatom-sandbox/main.js`, configured by SANDBOX_* variables. */
async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env['SANDBOX_PORT'] ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`SANDBOX_PORT must be a port number (0-65535), got "${env['SANDBOX_PORT']}"`);
  }
  const host = env['SANDBOX_HOST'] || '127.0.0.1';
  const pushUrl = env['SANDBOX_PUSH_URL'] ?? 'http://127.0.0.1:3000/api/v1/webhooks/viatom';
  const sandbox = createSandbox({
    secret: env['SANDBOX_SECRET'] || 'sandbox-secret',
    accessToken: env['SANDBOX_ACCESS_TOKEN'] || 'sandbox-access-token',
    pushUrl: pushUrl === '' ? null : pushUrl,
    publicUrl: env['SANDBOX_PUBLIC_URL'] || undefined,
    timeZone: env['SANDBOX_TIMEZONE'] || undefined,
    logger: env['SANDBOX_LOG'] === 'true',
  });
  const url = await sandbox.listen(port, host).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new Error(`port ${port} on ${host} is already in use by another process: stop it, or set SANDBOX_PORT to a free port.`);
    if (error.code === 'EADDRNOTAVAIL') throw new Error(`SANDBOX_HOST ${host} is not an address of this machine.`);
    throw error;
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Viatom sandbox: ${signal}, closing`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Viatom sandbox: close failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  // The secret and the access token are never printed: only whether they are the defaults.
  const credentials =
    env['SANDBOX_SECRET'] || env['SANDBOX_ACCESS_TOKEN'] ? 'from SANDBOX_SECRET / SANDBOX_ACCESS_TOKEN' : 'the defaults (see README)';
  console.log(
    [
      `Viatom sandbox listening on ${url}`,
      `  open API:      POST ${url}/api/v1/open/auth/jump_path, POST ${url}/api/v1/open/auth/cancel`,
      `  consent page:  ${sandbox.publicUrl}/auth/`,
      `  admin API:     ${url}/admin`,
      `  pushes go to:  ${redactUrl(sandbox.pushUrl) ?? '(none: set one with POST /admin/push-url)'}`,
      `  time zone:     ${env['SANDBOX_TIMEZONE'] || '+08:00'}`,
      `  credentials:   ${credentials}`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`Viatom sandbox failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
