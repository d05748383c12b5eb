#!/usr/bin/env node
// The CLI entry: runs the built engine CLI (built by `npm install` through the prepare step).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('balancer-lab: not built yet; run `npm run build` (npm install does it for you)\n');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
