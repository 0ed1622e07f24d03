/**
 * The people of the console: imported by an administrator from a file, each with the roles they hold at units.
 * Roles and units live in the table, keyed by the person, so a change of post changes no account in the identity
 * provider; the provider only holds the sign-in (and invites new people by its own email).
 */
import type { Person } from '../domain/access.ts';
import { InputError } from '../domain/errors.ts';
import { peopleRefusal, readPeopleCsv } from '../domain/people-csv.ts';
import type { IdentityProvider, PeopleDirectory, UnitDirectory } from './ports.ts';

export interface PeopleDeps {
  people: PeopleDirectory;
  units: UnitDirectory;
  identity: IdentityProvider;
}

export interface PeopleImport {
  people: number;
  grants: number;
  invited: number;
}

/**
 * The people as the file gives them, with the roles they already hold outside the administrator's scope kept (and then
 * their name as stored): an administrator changes a person's roles at their own units, never elsewhere.
 */
async function keepingGrantsOutside(people: Person[], within: (unitPath: readonly string[]) => boolean, deps: PeopleDeps): Promise<Person[]> {
  return Promise.all(
    people.map(async (p) => {
      const stored = await deps.people.getPerson(p.email);
      if (!stored) return p;
      const units = await deps.units.getUnits([...new Set(stored.grants.map((g) => g.unitId))]);
      const outside = stored.grants.filter((g) => {
        const unit = units.get(g.unitId);
        return !unit || !within(unit.path);
      });
      const grants = [...outside, ...p.grants.filter((g) => !outside.some((o) => o.role === g.role && o.unitId === g.unitId))];
      return { ...p, name: outside.length ? stored.name : p.name, grants };
    }),
  );
}

/**
 * Imports or updates people. Every line is checked, and every unit must exist and lie within `within` (the
 * administrator's own units): nothing is written unless all lines are right.
 */
export async function importPeopleCsv(text: string, within: (unitPath: readonly string[]) => boolean, deps: PeopleDeps): Promise<PeopleImport> {
  const file = readPeopleCsv(text);
  const problems = [...file.problems];
  const unitIds = [...new Set(file.people.flatMap((p) => p.grants.map((g) => g.unitId)))];
  const units = unitIds.length ? await deps.units.getUnits(unitIds) : new Map();
  for (const p of file.people) {
    for (const g of p.grants) {
      const unit = units.get(g.unitId);
      const line = p.lines[p.grants.indexOf(g)] ?? p.lines[0] ?? 0;
      if (!unit) problems.push({ line, messageVi: `Dòng ${line}: không có đơn vị mã "${g.unitId}"` });
      else if (!within(unit.path)) problems.push({ line, messageVi: `Dòng ${line}: đơn vị "${unit.name}" không thuộc phạm vi quản trị của bạn` });
    }
  }
  if (problems.length) throw peopleRefusal(problems.sort((a, b) => a.line - b.line));
  if (!file.people.length) throw new InputError('Tệp người dùng không có dòng nào', ['Sau dòng tiêu đề, mỗi dòng là một vai trò của một người tại một đơn vị.']);
  const people = await keepingGrantsOutside(file.people.map(({ lines: _lines, ...p }) => p), within, deps);
  await deps.people.putPeople(people);
  let invited = 0;
  for (const p of people) if ((await deps.identity.ensureUser(p.email, {})) === 'created') invited++;
  return { people: people.length, grants: people.reduce((n, p) => n + p.grants.length, 0), invited };
}
