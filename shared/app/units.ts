import { buildPaths, HierarchyError, LEVEL_NAME_VI, type Unit, type UnitLevel } from '../domain/units.ts';
import { parseUnitsCsv } from '../domain/units-csv.ts';
import { InputError } from './errors.ts';
import type { UnitDirectory } from './ports.ts';

export interface ImportResult {
  imported: number;
  byLevel: Partial<Record<UnitLevel, number>>;
}

/** Imports or updates units from CSV. Parents may be in the file or already stored. All lines are checked before anything is written. */
export async function importUnitsCsv(text: string, deps: { units: UnitDirectory }): Promise<ImportResult> {
  const rows = parseUnitsCsv(text);
  const inFile = new Set(rows.map((r) => r.id));
  const outsideParents = [...new Set(rows.map((r) => r.parentId).filter((p): p is string => !!p && !inFile.has(p)))];
  const existing: Map<string, Unit> = outsideParents.length ? await deps.units.getUnits(outsideParents) : new Map();
  let units: Unit[];
  try {
    units = buildPaths(rows, existing);
  } catch (e) {
    if (e instanceof HierarchyError) throw new InputError('Cây đơn vị không hợp lệ, chưa nhập đơn vị nào', [`${e.line ? `Dòng ${e.line}: ` : ''}${e.message}`]);
    throw e;
  }
  const byId = new Map(units.map((u) => [u.id, u]));
  const problems = rows
    .filter((r) => r.parentId && LEVEL_ORDER[(byId.get(r.parentId) ?? existing.get(r.parentId))!.level] >= LEVEL_ORDER[r.level])
    .map((r) => `Dòng ${r.line}: đơn vị cấp ${LEVEL_NAME_VI[r.level]} "${r.name}" không thể nằm dưới đơn vị cùng cấp hoặc cấp thấp hơn`);
  if (problems.length) throw new InputError('Cây đơn vị không hợp lệ, chưa nhập đơn vị nào', problems);
  await deps.units.putUnits(units);
  const byLevel: Partial<Record<UnitLevel, number>> = {};
  for (const u of units) byLevel[u.level] = (byLevel[u.level] ?? 0) + 1;
  return { imported: units.length, byLevel };
}

const LEVEL_ORDER: Record<UnitLevel, number> = { province: 0, district: 1, commune: 2, village: 3 };
