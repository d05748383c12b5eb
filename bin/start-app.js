#!/usr/bin/env node
// `npm start`: run the built app in Electron, or explain in one line why it can't and what to do instead.
// We do not `require('electron')` directly: when its binary is missing that call starts a download with
// inherited output and then throws a stack trace. Instead we read the same path.txt it reads.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const NO_BINARY =
  "balancer-lab: Electron's binary is not installed here (download blocked or skipped); run `npm run web` to open Balancer Lab in your browser instead.";
/** One download attempt per start, bounded: a blocked network fails in well under a second. */
const INSTALL_TIMEOUT_MS = 60_000;

function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/** The electron package's directory, or null when the package itself is absent. */
function electronPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The Electron executable, following the electron package's own rules, or null when it is not there. */
function electronBinary(packageDir) {
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  if (!relative) return null;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  const binary = join(dist, relative);
  return existsSync(binary) ? binary : null;
}

/** Try the package's own installer once, quietly; its failure is reported by our one line instead. */
function tryInstall(packageDir) {
  const installer = join(packageDir, 'install.js');
  if (!existsSync(installer)) return;
  spawnSync(process.execPath, [installer], { cwd: packageDir, stdio: 'ignore', timeout: INSTALL_TIMEOUT_MS });
}

if (!existsSync(join(appDir, 'out', 'main', 'index.js'))) {
  fail('balancer-lab: the app is not built yet; run `npm run build` first (npm start does it for you).');
}

const packageDir = electronPackageDir();
if (!packageDir) fail(NO_BINARY);
let binary = electronBinary(packageDir);
if (!binary) {
  tryInstall(packageDir);
  binary = electronBinary(packageDir);
}
if (!binary) fail(NO_BINARY);

const env = { ...process.env };
// Set by some tools; it would make Electron behave as plain Node and ignore the app.
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(binary, [appDir], { stdio: 'inherit', env });
child.on('error', (error) => fail(`balancer-lab: could not start Electron: ${error.message.replace(/\s+/g, ' ')}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!child.killed) child.kill(signal);
  });
}
// Killed by a signal means no exit code: report failure.
child.on('exit', (code) => process.exit(code ?? 1));
