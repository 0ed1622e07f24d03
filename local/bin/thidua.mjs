#!/usr/bin/env node
// The thidua command. It runs on the project's own Node 24 (node_modules/node), whatever node started it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const projectNode = resolve(root, 'node_modules/node/bin/node');
const node = existsSync(projectNode) ? projectNode : process.execPath;
const result = spawnSync(node, ['--import', import.meta.resolve('tsx'), resolve(root, 'local/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
process.exit(result.status ?? 1);
