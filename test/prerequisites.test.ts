import { describe, expect, it } from 'vitest';
import { ensurePrerequisites, requiredTools, type Installer, type Tool } from './support/prerequisites.ts';

/** A tool whose presence the test decides; `install` makes it present, as apt-get would. */
const tool = (apt: string, present: boolean): Tool & { installed: boolean } => {
  const t = { what: `the ${apt} tool`, apt, installed: present, present: () => t.installed };
  return t;
};

const refusal = (run: () => void): string => {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the setup to stop');
};

describe('what the tests need outside npm', () => {
  it('stops at once with the exact command when tools are missing and nothing may install them', () => {
    // Prepare
    const java = tool('openjdk-17-jre-headless', false);
    const chromium = tool('chromium', false);
    const log: string[] = [];

    // Act
    const started = Date.now();
    const message = refusal(() => ensurePrerequisites([java, chromium], undefined, (l) => log.push(l), false));

    // Assess
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(message).toContain('this machine needs: the openjdk-17-jre-headless tool; the chromium tool.');
    expect(message).toContain('\n  sudo apt-get install -y openjdk-17-jre-headless chromium\n');
    expect(message).toContain('Then run npm test again.');
  });

  it('installs what is missing when it may, says so, and goes on', () => {
    // Prepare
    const java = tool('openjdk-17-jre-headless', true);
    const chromium = tool('chromium', false);
    const asked: string[][] = [];
    const apt: Installer = {
      install(packages) {
        asked.push([...packages]);
        chromium.installed = true;
      },
    };
    const log: string[] = [];

    // Act
    ensurePrerequisites([java, chromium], apt, (l) => log.push(l), true);

    // Assess
    expect(asked).toEqual([['chromium']]);
    expect(log).toEqual(['Installing what the tests need: chromium']);
  });

  it('stops with the command when installing did not help', () => {
    // Prepare
    const apt: Installer = {
      install() {
        throw new Error('apt-get update failed (exit 100)');
      },
    };
    const log: string[] = [];

    // Act
    const message = refusal(() => ensurePrerequisites([tool('chromium', false)], apt, (l) => log.push(l), true));

    // Assess
    expect(log).toEqual(['Installing what the tests need: chromium', '  apt-get update failed (exit 100)']);
    expect(message).toContain('\n  apt-get install -y chromium\n');
  });

  it('does nothing when everything is there', () => {
    // Prepare
    const apt: Installer = {
      install() {
        throw new Error('nothing should be installed');
      },
    };

    // Act / Assess
    expect(() => ensurePrerequisites([tool('openjdk-17-jre-headless', true), tool('chromium', true)], apt, () => undefined)).not.toThrow();
  });

  it('names a CHROMIUM_PATH that does not exist instead of installing Chromium', () => {
    // Prepare
    const tools = requiredTools({ CHROMIUM_PATH: '/nonexistent/chromium' }).filter((t) => t.what.includes('Chromium'));
    const apt: Installer = {
      install() {
        throw new Error('nothing should be installed');
      },
    };

    // Act
    const message = refusal(() => ensurePrerequisites(tools, apt, () => undefined, true));

    // Assess
    expect(message).toContain('Chromium at CHROMIUM_PATH=/nonexistent/chromium: unset CHROMIUM_PATH');
    expect(message).not.toContain('apt-get');
  });
});
