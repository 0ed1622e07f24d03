import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The project root (the folder holding package.json and cdk.json): handler entries in the catalog are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

export const fromRoot = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
