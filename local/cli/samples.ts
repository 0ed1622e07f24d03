/**
 * Sample people for trying the console on one machine: one person per role in Bình Thuận's sample units, each with
 * a known password at cognito-local (never on AWS, where Cognito invites people by email with a temporary one).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importPeopleCsv } from '../../shared/app/people.ts';
import { importUnitsCsv, type ImportResult } from '../../shared/app/units.ts';
import { ROLE_VI, type Role } from '../../shared/domain/access.ts';
import { readPeopleCsv } from '../../shared/domain/people-csv.ts';
import { PROJECT_ROOT, type LocalStack } from '../stack/stack.ts';

export const SAMPLE_UNITS = resolve(PROJECT_ROOT, 'local/sample/binh-thuan-units.csv');
export const SAMPLE_PEOPLE = resolve(PROJECT_ROOT, 'local/sample/people.csv');
/** The sample accounts' password: local only, printed for whoever tries the console. */
export const SAMPLE_PASSWORD = 'Thidua@2027';

export interface SampleSignIn {
  role: Role;
  email: string;
  name: string;
  unitId: string;
}

/** The sample units (when asked) and people, with their accounts; importing them again changes nothing. */
export async function loadSamples(stack: LocalStack, opts: { units: boolean }): Promise<{ units?: ImportResult; people: SampleSignIn[] }> {
  if (!stack.console) throw new Error('the local stack was started without its console');
  const deps = stack.console.deps;
  const units = opts.units ? await importUnitsCsv(readFileSync(SAMPLE_UNITS, 'utf8'), { units: deps.units }) : undefined;
  const text = readFileSync(SAMPLE_PEOPLE, 'utf8');
  const file = readPeopleCsv(text);
  // Accounts first, with the known password, so that the import finds them and invites nobody.
  for (const p of file.people) await deps.identity.ensureUser(p.email, { password: SAMPLE_PASSWORD });
  await importPeopleCsv(text, () => true, deps);
  const people = file.people.flatMap((p) => p.grants.map((g) => ({ role: g.role, email: p.email, name: p.name, unitId: g.unitId })));
  return { ...(units ? { units } : {}), people };
}

/** Lines that tell a person where the console is and how to sign in as each role. */
export function signInLines(consoleUrl: string, people: readonly SampleSignIn[]): string[] {
  const width = Math.max(0, ...people.map((p) => ROLE_VI[p.role].length));
  return [
    `Bảng điều khiển: ${consoleUrl} – tài khoản mẫu (mật khẩu ${SAMPLE_PASSWORD}):`,
    ...people.map((p) => `    ${ROLE_VI[p.role].padEnd(width)} ${p.email} (${p.name}, ${p.unitId})`),
  ];
}
