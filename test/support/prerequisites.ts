/**
 * Vitest's global setup: before any test runs, the tools the suite needs outside npm are checked — Java for
 * DynamoDB Local, Debian's Chromium for the digest rendered in a browser. What is missing is installed with apt-get
 * when this process may (root, apt-get present), as `.ci/run` does; otherwise the run stops at once with the exact
 * command to type, instead of one test failing minutes later.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Tool {
  /** What it is and what needs it, for the message. */
  what: string;
  present(): boolean;
  /** The Debian package that provides it; none when installing cannot help (a CHROMIUM_PATH that does not exist). */
  apt?: string;
  /** What to do instead, when there is no package to install. */
  hint?: string;
}

export interface Installer {
  /** Installs the packages; throws if it could not. */
  install(packages: readonly string[]): void;
}

export function requiredTools(env: NodeJS.ProcessEnv = process.env): Tool[] {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return [
    { what: 'Java 17 (DynamoDB Local runs on it)', apt: 'openjdk-17-jre-headless', present: () => spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0 },
    env.CHROMIUM_PATH
      ? { what: `Chromium at CHROMIUM_PATH=${chromium}`, hint: 'unset CHROMIUM_PATH to use Debian\'s /usr/bin/chromium, or point it to a Chromium binary', present: () => existsSync(chromium) }
      : { what: 'Chromium at /usr/bin/chromium (a test renders the leaders\' digest in it)', apt: 'chromium', present: () => existsSync(chromium) },
  ];
}

const isRoot = () => process.getuid?.() === 0;

/** apt-get, when this process may use it: as root, with apt-get on the PATH. */
export function aptInstaller(log: (line: string) => void): Installer | undefined {
  if (!isRoot() || spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return undefined;
  return {
    install(packages) {
      const run = (args: string[]) => {
        log(`  $ apt-get ${args.join(' ')}`);
        const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
        if (r.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${r.status ?? r.signal})`);
      };
      run(['update', '-qq']);
      run(['install', '-y', '-qq', ...packages]);
    },
  };
}

/** The command a person types to install the packages. */
export const installCommand = (packages: readonly string[], root = isRoot()) => `${root ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;

/**
 * Installs what is missing if `installer` can, then checks again; throws at once, naming what is missing and the exact
 * command to install it, when something is still missing.
 */
export function ensurePrerequisites(tools: readonly Tool[], installer: Installer | undefined, log: (line: string) => void, root = isRoot()): void {
  let missing = tools.filter((t) => !t.present());
  if (!missing.length) return;
  const installable = missing.flatMap((t) => (t.apt ? [t.apt] : []));
  if (installer && installable.length) {
    log(`Installing what the tests need: ${installable.join(', ')}`);
    try {
      installer.install(installable);
    } catch (e) {
      log(`  ${(e as Error).message}`);
    }
    missing = missing.filter((t) => !t.present());
    if (!missing.length) return;
  }
  const packages = missing.flatMap((t) => (t.apt ? [t.apt] : []));
  throw new Error(
    [
      `Before the tests can run, this machine needs: ${missing.map((t) => t.what).join('; ')}.`,
      ...(packages.length ? ['Install with:', '', `  ${installCommand(packages, root)}`, ''] : []),
      ...missing.flatMap((t) => (t.hint ? [`${t.what}: ${t.hint}.`] : [])),
      'Then run npm test again.',
    ].join('\n'),
  );
}

export default function setup(): void {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    ensurePrerequisites(requiredTools(), aptInstaller(log), log);
  } catch (e) {
    // Plainly, and before vitest looks for test files: its own report of a failed setup buries the command.
    log(`\n${(e as Error).message}\n`);
    process.exit(1);
  }
}
