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
