import { buildPaths, hierarchyProblems, type Unit, type UnitLevel } from '../domain/units.ts';
import { readUnitsCsv, unitsRefusal, type UnitsFile } from '../domain/units-csv.ts';
import type { UnitDirectory } from './ports.ts';
import { InputError } from '../domain/errors.ts';

export interface ImportResult {
  imported: number;
  byLevel: Partial<Record<UnitLevel, number>>;
}

/** The parents a file names that are not in it: they must already be stored. */
export function parentsOutside(file: UnitsFile): string[] {
  const inFile = new Set(file.lines.map((l) => l.id));
  return [...new Set(file.lines.map((l) => l.parentId).filter((p): p is string => !!p && !inFile.has(p)))];
}

/**
 * Checks a units file whole, before anything is written: each line's own problems, then the hierarchy's (parents
 * neither in the file nor stored, cycles, levels out of order). Throws one InputError listing them all by line.
 */
export function checkUnitsFile(file: UnitsFile, stored: ReadonlyMap<string, Unit>): void {
  const problems = [...file.problems, ...hierarchyProblems(file.lines, stored)];
  if (problems.length) throw unitsRefusal(problems);
}

/**
 * Whether an administrator may write this unit over what is stored: a unit already stored must lie in their scope as
 * it stands (not only where the file puts it), and may move to another parent only from a parent in their scope —
 * so no unit is taken from another subtree, and the administrator's own root stays where it is.
 */
function mayChange(stored: Unit | undefined, next: Unit, allow: (unit: { id: string; path: readonly string[] }) => boolean): boolean {
  if (!stored) return true;
  if (!allow(stored)) return false;
  if (stored.parentId === next.parentId) return true;
  const parentPath = stored.path.slice(0, -1);
  return parentPath.length > 0 && allow({ id: parentPath[parentPath.length - 1]!, path: parentPath });
}

/**
 * Imports or updates units from CSV. Parents may be in the file or already stored. All lines are checked before
 * anything is written; with `allow` (the console: an administrator's subtree), so is whether each unit may be written.
 */
export async function importUnitsCsv(
  text: string,
  deps: { units: Pick<UnitDirectory, 'getUnits' | 'putUnits'>; allow?: (unit: { id: string; path: readonly string[] }) => boolean },
): Promise<ImportResult> {
  const file = readUnitsCsv(text);
  const outside = parentsOutside(file);
  const stored: Map<string, Unit> = outside.length ? await deps.units.getUnits(outside) : new Map();
  checkUnitsFile(file, stored);
  const units = buildPaths(file.rows, stored);
  if (deps.allow) {
    const allow = deps.allow;
    const before = await deps.units.getUnits(units.map((u) => u.id));
    const refused = units.map((u, i) => ({ u, line: file.rows[i]?.line ?? 0 })).filter(({ u }) => !allow(u) || !mayChange(before.get(u.id), u, allow));
    if (refused.length) {
      throw new InputError(
        `Tệp có ${refused.length} đơn vị ngoài phạm vi quản trị của bạn, chưa nhập đơn vị nào`,
        refused.map(({ u, line }) => `Dòng ${line}: đơn vị "${u.name}" (mã ${u.id}) không thuộc các đơn vị bạn quản trị`),
      );
    }
  }
  await deps.units.putUnits(units);
  const byLevel: Partial<Record<UnitLevel, number>> = {};
  for (const u of units) byLevel[u.level] = (byLevel[u.level] ?? 0) + 1;
  return { imported: units.length, byLevel };
}
