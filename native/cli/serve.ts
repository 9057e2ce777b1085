import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HindsightError } from '../common/errors.js';
import { packageRoot, packageVersion } from '../common/package-root.js';
import { startBridge, type Bridge } from '../server/http-server.js';
import { EngineService } from '../service/engine-service.js';
import { defaultDatabasePath, userDataDir } from '../store/paths.js';

/**
 * `hindsight serve`: the UI in a browser. Runs until SIGINT/SIGTERM, then shuts down cleanly
 * (imports cancelled and marked so, the database checkpointed and closed, uploads removed).
 */
export async function serve(o: { db: string | null; port: number | string; demo: boolean; quiet: boolean }): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HindsightError('usage', `--port takes 0 (any free port) to 65535 (got "${o.port}").`);
  const root = packageRoot();
  const staticDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new HindsightError('not-built', 'The UI is not built yet: run `npm run build` (npm ci does it).');
  // A demo never touches the user's own database unless --db says so.
  const scratch = o.demo && !o.db ? mkdtempSync(join(tmpdir(), 'hindsight-demo-')) : null;
  const dbPath = o.db ?? (scratch ? join(scratch, 'demo.db') : defaultDatabasePath());
  const sampleDir = o.demo ? join(root, 'demo') : undefined;
  let bridge: Bridge | null = null;
  const uploadDir = join(scratch ?? userDataDir(), 'uploads');
  const service = await EngineService.open(
    { dbPath, shell: 'browser', version: packageVersion(), sampleDir, uploadDir, eager: true },
    (event, payload) => bridge?.broadcast(event, payload),
  );
  try {
    bridge = await startBridge({ service, staticDir, uploadDir, port });
  } catch (err) {
    await service.close();
    throw err;
  }
  process.stdout.write(`${bridge.url}\n`);
  if (!o.quiet) process.stderr.write(`Hindsight is serving ${dbPath} at the address above (127.0.0.1 only). Ctrl+C stops it.\n`);
  if (o.demo) await service.call('importSample', {});
  // A signal is how a server is meant to stop: a clean shutdown exits 0.
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await bridge.close();
  await service.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  return 0;
}
