import { z } from 'zod';

/** Levels of Vietnamese local government. The hierarchy may skip or repeat levels (pre-2025 data has districts). */
export const UnitLevel = z.enum(['province', 'district', 'commune', 'village']);
export type UnitLevel = z.infer<typeof UnitLevel>;

export const LEVEL_NAME_VI: Record<UnitLevel, string> = {
  province: 'tỉnh',
  district: 'huyện',
  commune: 'xã',
  village: 'thôn',
};

const email = z.email();

export const Unit = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang'),
  name: z.string().trim().min(1),
  level: UnitLevel,
  parentId: z.string().optional(),
  /** Officers who receive assignments and reminders. */
  emails: z.array(email).default([]),
  /** Leaders: escalations and digests. */
  leaderEmails: z.array(email).default([]),
  /** Weights of weighted means (poor-household rate by households, health insurance by population). */
  households: z.number().int().min(0).optional(),
  population: z.number().int().min(0).optional(),
  /** Ids from the root down to this unit, inclusive: the materialized path that makes "all descendants" one Query. */
  path: z.array(z.string()).min(1),
});
export type Unit = z.infer<typeof Unit>;

export interface UnitRow {
  id: string;
  name: string;
  level: UnitLevel;
  parentId?: string;
  emails: string[];
  leaderEmails: string[];
  households?: number;
  population?: number;
}

export class HierarchyError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'HierarchyError';
  }
}

/**
 * Builds materialized paths for rows whose parents are either in the same import or already stored.
 * Rows may come in any order. A cycle or a missing parent is an error that names the line.
 */
export function buildPaths(
  rows: readonly (UnitRow & { line?: number })[],
  existing: ReadonlyMap<string, Unit> = new Map(),
): Unit[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const resolved = new Map<string, string[]>();
  const resolve = (id: string, seen: Set<string>): string[] => {
    const done = resolved.get(id);
    if (done) return done;
    const row = byId.get(id);
    if (!row) {
      const stored = existing.get(id);
      if (stored) return stored.path;
      throw new HierarchyError(`không tìm thấy đơn vị "${id}"`);
    }
    if (seen.has(id)) throw new HierarchyError(`đơn vị "${id}" nằm trong một vòng lặp cấp trên – cấp dưới`, row.line);
    seen.add(id);
    let path: string[];
    if (!row.parentId) path = [id];
    else {
      if (!byId.has(row.parentId) && !existing.has(row.parentId)) {
        throw new HierarchyError(`đơn vị cấp trên "${row.parentId}" của "${row.id}" không có trong tệp và chưa được nhập`, row.line);
      }
      path = [...resolve(row.parentId, seen), id];
    }
    resolved.set(id, path);
    return path;
  };
  return rows.map((r) => Unit.parse({ ...r, path: resolve(r.id, new Set()) }));
}

/** Province above district above commune above village; a parent must be on a higher level than its child. */
export const LEVEL_ORDER: Record<UnitLevel, number> = { province: 0, district: 1, commune: 2, village: 3 };

/** One problem of an imported file, on its line. */
export interface UnitProblem {
  line: number;
  message: string;
}

/** A line of a units file as far as it could be read: its level is missing when the line's level is not one. */
export interface UnitLine {
  line: number;
  id: string;
  name: string;
  level?: UnitLevel;
  parentId?: string;
}

/**
 * Every problem of the hierarchy a file describes, at once: parents neither in the file nor stored, cycles, a parent
 * on the same level as its child or below it. Lines with other problems still take part (a child may name them).
 */
export function hierarchyProblems(lines: readonly UnitLine[], stored: ReadonlyMap<string, Pick<Unit, 'name' | 'level' | 'path'>> = new Map()): UnitProblem[] {
  const byId = new Map<string, UnitLine>();
  for (const l of lines) if (l.id && !byId.has(l.id)) byId.set(l.id, l);
  const problems: UnitProblem[] = [];
  const describe = (u: { name: string; level?: UnitLevel }) => `"${u.name}"${u.level ? ` (cấp ${LEVEL_NAME_VI[u.level]})` : ''}`;

  for (const l of lines) {
    if (!l.parentId || l.parentId === l.id) continue;
    const parent = byId.get(l.parentId) ?? stored.get(l.parentId);
    if (!parent) {
      problems.push({ line: l.line, message: `đơn vị cấp trên "${l.parentId}" của "${l.id}" không có trong tệp và chưa được nhập` });
      continue;
    }
    if (l.level && parent.level && LEVEL_ORDER[parent.level] >= LEVEL_ORDER[l.level]) {
      problems.push({
        line: l.line,
        message: `đơn vị cấp ${LEVEL_NAME_VI[l.level]} "${l.name}" không thể nằm dưới ${describe(parent)}: đơn vị cấp trên phải ở cấp cao hơn`,
      });
    }
    if (!byId.has(l.parentId) && 'path' in parent && parent.path.includes(l.id)) {
      problems.push({ line: l.line, message: `đơn vị cấp trên "${l.parentId}" đã được nhập là đơn vị cấp dưới của "${l.id}": hai đơn vị không thể là cấp trên của nhau` });
    }
  }

  // Cycles among the file's lines: each reported once, on its first line, with the whole loop.
  const state = new Map<string, 'walking' | 'done'>();
  for (const start of byId.keys()) {
    const chain: string[] = [];
    let id: string | undefined = start;
    while (id !== undefined && byId.has(id) && !state.has(id)) {
      state.set(id, 'walking');
      chain.push(id);
      id = byId.get(id)?.parentId;
    }
    if (id !== undefined && state.get(id) === 'walking') {
      const loop = chain.slice(chain.indexOf(id)).map((x) => byId.get(x) as UnitLine);
      const at = loop.reduce((best, u, i) => ((u.line < (loop[best] as UnitLine).line) ? i : best), 0);
      const from = [...loop.slice(at), ...loop.slice(0, at)];
      const first = from[0] as UnitLine;
      problems.push({
        line: first.line,
        message:
          from.length === 1
            ? `đơn vị "${first.id}" không thể là cấp trên của chính nó`
            : `vòng lặp cấp trên – cấp dưới: ${from.map((u, i) => `"${u.id}" thuộc "${(from[(i + 1) % from.length] as UnitLine).id}"`).join(', ')} (dòng ${from.map((u) => u.line).join(', ')})`,
      });
    }
    for (const x of chain) state.set(x, 'done');
  }
  return problems.sort((a, b) => a.line - b.line);
}
