/**
 * What every console route can use: the use cases' dependencies (the same ports the CLI and the handlers use), the
 * signed-in person, and the guards every route goes through (authorize, audit, CSRF).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, reaches, unitsFor, type Action, type Person, type UnitRef } from '../../shared/domain/access.ts';
import type {
  AssignmentStore,
  AuditLog,
  CalendarSource,
  Clock,
  DirectiveStatusReader,
  DirectiveStore,
  DraftStore,
  EventPublisher,
  IdentityProvider,
  MailLog,
  MailQueue,
  ObligationIndex,
  PeopleDirectory,
  RateCounter,
  ReportLog,
  ReportStorage,
  ResultsStore,
  TokenVerifier,
  UnitDirectory,
  ApprovalStore,
  VillageTargetStore,
  EmulationStore,
} from '../../shared/app/ports.ts';

export interface ConsoleDeps {
  units: UnitDirectory;
  directives: DirectiveStore;
  assignments: AssignmentStore;
  obligations: ObligationIndex;
  status: DirectiveStatusReader;
  reports: ReportLog;
  results: ResultsStore;
  drafts: DraftStore;
  calendar: CalendarSource;
  storage: ReportStorage;
  events: EventPublisher;
  mail: MailQueue;
  people: PeopleDirectory;
  audit: AuditLog;
  rates: RateCounter;
  identity: IdentityProvider;
  tokens: TokenVerifier;
  clock: Clock;
  /** Keys the CSRF tokens (an HMAC of the session). */
  csrfKey: string;
  /** Where a signed link's upload page is (emails keep pointing there). */
  uploadBaseUrl: string;
  uploadSecret: string;
  maxReportBytes: number;
  maxDocumentBytes: number;
  /** Cookies are `Secure` and `__Host-` prefixed; a local http stack on 127.0.0.1 counts as secure in browsers. */
  secureCookies: boolean;
  /** The level above's decisions on reports. */
  approvals: ApprovalStore;
  /** What was emailed (remind now checks its step's key). */
  mailLog: MailLog;
  /** Villages' targets split by their communes. */
  villageTargets: VillageTargetStore;
  /** Uploads per report and clock hour, shared with the signed-link page (the same counter). */
  maxUploadsPerHour: number;
  /** The emulation year's records and every unit's titles. */
  emulation: EmulationStore;
}

export interface Session {
  person: Person;
  /** The identity provider's subject, and when the person signed in (the CSRF token is bound to both). */
  sub: string;
  csrf: string;
}

export type ConsoleEnv = {
  Variables: {
    deps: ConsoleDeps;
    nonce: string;
    requestId: string;
    session?: Session;
  };
};

export type ConsoleContext = Context<ConsoleEnv>;

export function sessionOf(c: ConsoleContext): Session {
  const s = c.get('session');
  if (!s) throw new HTTPException(401, { message: 'Chưa đăng nhập' });
  return s;
}

/** The one authorization check: the signed-in person, the action, the unit the resource belongs to. Else 403. */
export function authorize(c: ConsoleContext, action: Action, unit: UnitRef): Session {
  const session = sessionOf(c);
  if (!can(session.person, action, unit)) {
    throw new HTTPException(403, { message: 'Bạn không có quyền với đơn vị này' });
  }
  return session;
}

/** The units the person acts for with `action`, with their paths (one BatchGet), for what reaches them from above. */
export async function ownUnits(c: ConsoleContext, action: Action): Promise<UnitRef[]> {
  const ids = unitsFor(sessionOf(c).person, action);
  return ids.length ? [...(await c.get('deps').units.getUnits(ids)).values()] : [];
}

/** Reading a directive: its issuer in the person's subtree, or above one of their units (it reaches them). Else 403. */
export async function authorizeDirectiveRead(c: ConsoleContext, action: Action, issuer: UnitRef): Promise<Session> {
  const session = sessionOf(c);
  if (can(session.person, action, issuer) || reaches(session.person, action, issuer, await ownUnits(c, action))) return session;
  throw new HTTPException(403, { message: 'Bạn không có quyền với đơn vị này' });
}

/** Records a change in the audit trail: who, when, what, which unit, the request id. */
export async function audit(c: ConsoleContext, entry: { action: Action | string; unit: UnitRef; target: string; summaryVi: string }): Promise<void> {
  const { person } = sessionOf(c);
  const deps = c.get('deps');
  await deps.audit.record({
    at: deps.clock.now().toISOString(),
    requestId: c.get('requestId'),
    actor: person.email,
    action: entry.action,
    unitId: entry.unit.id,
    unitPath: entry.unit.path,
    target: entry.target,
    summaryVi: entry.summaryVi,
  });
}

/**
 * The caller's address as the last proxy saw it (CloudFront appends the viewer's to X-Forwarded-For; a value the
 * caller wrote comes before it), or "direct" when nothing forwarded the request (the local server).
 */
export const callerAddress = (c: ConsoleContext) => (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean).at(-1) ?? 'direct';
