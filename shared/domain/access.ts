/**
 * Who may do what, for which unit: the one authorization policy every console route goes through.
 *
 * A person holds grants, each a role at a unit. A grant covers that unit and every unit under it (its subtree, by
 * the materialized path), so a change of post is a change of grants, never of code. Roles:
 * - office: the emulation office that issues directives (a province's, a district's, or a commune's for its villages);
 * - officer: the unit's own officer, who reports for it and splits its targets over its villages;
 * - approver: the level above, who approves or returns the reports of the units under it (never its own);
 * - leader: reads the results and the status of its subtree;
 * - admin: keeps the units and the people, and reads the audit trail;
 * - secretary: the emulation council's secretary (thư ký Hội đồng Thi đua - Khen thưởng), who records its sessions.
 */
import { z } from 'zod';

export const Role = z.enum(['office', 'officer', 'approver', 'leader', 'admin', 'secretary']);
export type Role = z.infer<typeof Role>;

export const ROLE_VI: Record<Role, string> = {
  office: 'văn phòng thi đua',
  officer: 'cán bộ đơn vị',
  approver: 'cấp duyệt báo cáo',
  leader: 'lãnh đạo',
  admin: 'quản trị',
  secretary: 'thư ký hội đồng thi đua',
};

export const Grant = z.object({ role: Role, unitId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });
export type Grant = z.infer<typeof Grant>;

export const Person = z.object({
  email: z.email(),
  name: z.string().trim().min(1),
  grants: z.array(Grant).min(1),
});
export type Person = z.infer<typeof Person>;

export const ACTIONS = [
  'directive.read',
  'directive.write',
  'deadline.extend',
  'status.read',
  'report.read',
  'report.remind',
  'report.upload',
  'report.approve',
  'targets.split',
  'results.read',
  'units.manage',
  'people.manage',
  'audit.read',
  /** The emulation year: register a unit's titles and pledge; approve or return a registration below. */
  'registration.submit',
  'registration.approve',
  /** Keep a directive's year: its rules, clusters, candidates, the public posting and the opinions received. */
  'emulation.manage',
  /** Nominate a unit below for a title, with its achievement report. */
  'nomination.submit',
  /** Record the council's session: members present and the ballot's tallies. */
  'council.record',
  /** Issue the commendation decision (the competent level's office). */
  'decision.issue',
  /** Read the year's registrations, rankings, candidates, decisions and the multi-year review. */
  'emulation.read',
] as const;
export type Action = (typeof ACTIONS)[number];

const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  office: [
    'directive.read', 'directive.write', 'deadline.extend', 'status.read', 'report.read', 'report.remind', 'results.read', 'audit.read',
    'registration.approve', 'emulation.manage', 'nomination.submit', 'decision.issue', 'emulation.read',
  ],
  officer: ['directive.read', 'report.read', 'report.upload', 'targets.split', 'results.read', 'registration.submit', 'nomination.submit', 'emulation.read'],
  approver: ['directive.read', 'status.read', 'report.read', 'report.approve', 'results.read', 'emulation.read'],
  leader: ['directive.read', 'status.read', 'report.read', 'results.read', 'emulation.read'],
  admin: ['directive.read', 'status.read', 'units.manage', 'people.manage', 'audit.read'],
  secretary: ['directive.read', 'results.read', 'council.record', 'emulation.read'],
};

/** Actions taken on a unit strictly below the grant's: the level above approves, never a unit its own report. */
const STRICTLY_BELOW: ReadonlySet<Action> = new Set(['report.approve', 'registration.approve', 'nomination.submit']);

/** A unit as the policy sees it: its id and the ids from the root down to it. */
export interface UnitRef {
  id: string;
  path: readonly string[];
}

/** Whether `person` may take `action` on `unit` (a resource's unit: a report's, a directive's issuer, …). */
export function can(person: Pick<Person, 'grants'>, action: Action, unit: UnitRef): boolean {
  return person.grants.some((g) => ROLE_ACTIONS[g.role].includes(action) && covers(g, unit, STRICTLY_BELOW.has(action)));
}

function covers(grant: Grant, unit: UnitRef, strictlyBelow: boolean): boolean {
  const at = unit.path.indexOf(grant.unitId);
  if (at < 0) return false;
  return strictlyBelow ? at < unit.path.length - 1 : true;
}

/** The units a person acts for with `action` (the roots of their subtrees), for menus and home pages. */
export function unitsFor(person: Pick<Person, 'grants'>, action: Action): string[] {
  return [...new Set(person.grants.filter((g) => ROLE_ACTIONS[g.role].includes(action)).map((g) => g.unitId))];
}

/**
 * Whether a directive issued by `issuer` concerns the person for `action`: the issuer is in their subtree, or above
 * one of the units they act for with it (the directive reaches them, so its own page, status and results of their
 * part are theirs to read). `ownUnits`: the units of the person's grants, with their paths.
 */
export function reaches(person: Pick<Person, 'grants'>, action: Action, issuer: UnitRef, ownUnits: readonly UnitRef[]): boolean {
  if (can(person, action, issuer)) return true;
  const roots = new Set(unitsFor(person, action));
  return ownUnits.some((u) => roots.has(u.id) && u.path.includes(issuer.id));
}

/** Whether the person holds the role anywhere (for what the navigation offers). */
export const hasRole = (person: Pick<Person, 'grants'>, role: Role): boolean => person.grants.some((g) => g.role === role);

export const actionsOf = (role: Role): readonly Action[] => ROLE_ACTIONS[role];
