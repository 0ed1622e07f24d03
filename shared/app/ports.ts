/** What the use cases need from the outside world. Adapters in shared/adapters implement these. */
import type { DirectiveDraft, DraftSource } from '../domain/document/draft.ts';
import type { Assignment, Obligation, ObligationStatus } from '../domain/assignment.ts';
import type { Directive, TargetValue } from '../domain/directive.ts';
import type { Unit, UnitLevel } from '../domain/units.ts';
import type { Person, Role } from '../domain/access.ts';
import type { CalendarAdjustmentsFile, CalendarOptions } from '../domain/calendar/index.ts';
import type { PeriodResults } from '../domain/results/index.ts';
import type { AssignmentWorkItem, EventDetail, EventType, MailMessage } from '../../events/schemas.ts';
import type { Candidate, Cluster, CouncilSession, Decision, EmulationRules, HistoryEntry, Opinion, Posting, Registration } from '../domain/emulation/types.ts';

export interface UnitDirectory {
  getUnits(ids: readonly string[]): Promise<Map<string, Unit>>;
  /** Pages of the units at `level` anywhere under `ancestor`. */
  descendantsAt(ancestor: Unit, level: UnitLevel): AsyncIterable<Unit[]>;
  childrenOf(parentId: string): AsyncIterable<Unit[]>;
  /** Counts only (Select COUNT): what a directive targets, without reading the units. */
  countDescendantsAt(ancestor: Unit, level: UnitLevel): Promise<number>;
  countChildren(parentId: string): Promise<number>;
  putUnits(units: readonly Unit[]): Promise<void>;
}

export type PutVersionResult = { outcome: 'written' } | { outcome: 'unchanged'; current: Directive } | { outcome: 'conflict'; current: Directive | undefined };

export interface DirectiveStore {
  getDirective(id: string, opts?: { consistent?: boolean }): Promise<Directive | undefined>;
  directivesOfYear(year: number): Promise<Directive[]>;
  /** Writes `next` as the current version only if the stored one is still `expectedVersion` (0: none yet). */
  putDirectiveVersion(next: Directive, expectedVersion: number): Promise<PutVersionResult>;
}

export interface AssignmentStore {
  getAssignments(directiveId: string, unitIds: readonly string[]): Promise<Map<string, Assignment>>;
  /** Conditional: only an absent assignment or one of an older version is replaced. Returns whether it was written. */
  putAssignmentIfNewer(assignment: Assignment): Promise<boolean>;
  /**
   * The same condition for many. `absent`: units read as having no assignment, written as plain inserts that fail if
   * one appeared meanwhile (then checked like the rest). Returns the unit ids whose assignment was written.
   */
  putAssignmentsIfNewer(assignments: readonly Assignment[], absent?: ReadonlySet<string>): Promise<Set<string>>;
  /** Creates obligations that do not exist yet (a submitted report is never reopened by a duplicate). */
  putNewObligations(obligations: readonly Obligation[]): Promise<void>;
  /** Obligations of units that had no assignment until now: nothing to check first. */
  putObligationsOfNewUnits(obligations: readonly Obligation[]): Promise<void>;
  obligationsOf(directiveId: string, unitId: string): Promise<Obligation[]>;
  /** Conditional update: only an obligation still in one of `from` changes. */
  updateObligation(o: Obligation, change: ObligationChange, from: readonly ObligationStatus[]): Promise<boolean>;
  withdrawAssignment(directiveId: string, unitId: string, version: number): Promise<boolean>;
  assignmentsOfDirective(directive: Pick<Directive, 'id' | 'shardCount'>): AsyncIterable<Assignment[]>;
}

export interface ObligationChange {
  status?: ObligationStatus;
  acceptedReports?: number;
  dueDate?: string;
  extendedUntil?: string;
  version: number;
  submittedAt?: string;
  onTime?: boolean;
}

/** Reads of obligations for reminders: by due date (open only), by period, by key. */
export interface ObligationIndex {
  openObligationsDue(dueDate: string): Promise<Obligation[]>;
  openObligationsOfPeriod(directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string): Promise<Obligation[]>;
  /** Every obligation of a period, whatever its status (results). */
  obligationsOfPeriod(directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string): Promise<Obligation[]>;
  getObligations(refs: readonly { directiveId: string; unitId: string; periodId: string }[], opts?: { consistent?: boolean }): Promise<Obligation[]>;
  /** Every obligation of one unit, of every directive and period (one Query in the unit's partition): an officer's list. */
  obligationsOfUnit(unitId: string): Promise<Obligation[]>;
}

export interface DirectiveStatusReader {
  countAssignments(directive: Pick<Directive, 'id' | 'shardCount'>): Promise<{ active: number; withdrawn: number }>;
  countObligations(directive: Pick<Directive, 'id' | 'shardCount'>, periodId: string): Promise<Record<ObligationStatus, number>>;
  countMailSent(directiveId: string): Promise<number>;
}

/** What the mail log says of one key when a sender tries to claim it. */
export type MailClaim =
  | { state: 'claimed' }
  | { state: 'sent'; messageId: string }
  /** Another sender claimed it and may still be sending (its lease has not run out). */
  | { state: 'held'; leaseUntil: string }
  /** A sender claimed it and its lease ran out unrecorded: it died, after SES took the mail or before. */
  | { state: 'stale'; claimedAt: string; attempt: string }
  /** A stale claim already put before an operator (dead-letter queue); left until one redrives it. */
  | { state: 'parked'; claimedAt: string };

export interface MailClaimRequest {
  /** This sending attempt's own id: a claim is released or taken over only by its holder. */
  attempt: string;
  at: Date;
  leaseUntil: Date;
  /** An operator's redrive: claims a dead sender left (stale or parked) are taken over. */
  takeOverStale: boolean;
}

/**
 * The mail log: one record per mail key, the claim a sender takes before SES is called and the record of what SES
 * answered. Its records are the mail path's idempotency (docs/architecture.md, "The mail path").
 */
export interface MailLog {
  /** Claims every free key at once (conditional writes in transactions); says what holds the others. */
  claimMails(keys: readonly string[], request: MailClaimRequest): Promise<Map<string, MailClaim>>;
  /** Records what SES took, in batches; the claims become the mail log's records. */
  recordSentMany(sent: readonly { message: MailMessage; messageId: string }[], at: Date): Promise<void>;
  /** Gives back this attempt's claims of mails SES did not take, so a retry may send them. */
  releaseClaims(keys: readonly string[], attempt: string): Promise<void>;
  /** Marks stale claims as put before an operator, so later deliveries do not report them again. */
  parkClaims(claims: readonly { key: string; attempt: string }[]): Promise<void>;
  /** The SES message id of an email already sent under this key, if any. */
  sentMessageId(key: string): Promise<string | undefined>;
}

export interface WorkQueue<T> {
  /** Sends every item, ten to a request, retrying failed entries; throws only if some could not be sent. */
  sendAll(items: readonly T[]): Promise<void>;
}

export type AssignmentQueue = WorkQueue<AssignmentWorkItem>;
export type MailQueue = WorkQueue<MailMessage>;

/** What SES answered for one mail of a bulk send. */
export type SendOutcome = { messageId: string } | { error: string; retryable: boolean };

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Many mails, as few SES calls as it takes (50 to a bulk send); one outcome per mail, in order. */
  sendMany(messages: readonly MailMessage[]): Promise<SendOutcome[]>;
}

export interface EventPublisher {
  publish<T extends EventType>(type: T, detail: EventDetail<T>): Promise<void>;
  /** Many events, ten to a PutEvents request. */
  publishAll(events: readonly { type: EventType; detail: EventDetail<EventType> }[]): Promise<void>;
}

/** The government's yearly adjustments to the computed holidays, as loaded by officers. */
export interface CalendarSource {
  calendarFor(years: readonly number[]): Promise<CalendarOptions>;
  putCalendarAdjustments(file: CalendarAdjustmentsFile): Promise<void>;
}

export type StoredObject = { size: number; tooLarge: true; bytes?: undefined; versionId?: string } | { size: number; bytes: Uint8Array; versionId?: string; tooLarge?: false };

/** Where report files and generated templates live (S3). */
export interface ReportStorage {
  /** A URL the browser PUTs one file to; `createOnly`: the URL cannot replace an object already there. */
  presignPut(key: string, opts: { contentType: string; contentLength: number; expiresInSeconds: number; createOnly?: boolean }): Promise<string>;
  /** The origin presigned URLs point to (the page's Content-Security-Policy allows connecting to it). */
  uploadOrigin(): Promise<string>;
  get(key: string, opts: { versionId?: string; maxBytes: number }): Promise<StoredObject>;
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Tags a rejected upload (that version) so the bucket's lifecycle rule expires it; accepted files are kept. */
  markRejected(key: string, versionId?: string): Promise<void>;
  /** Report files under a prefix older than `before`, page by page (the bucket's listing, never a scan of the table). */
  listReports(prefix: string, before: Date): AsyncIterable<{ key: string; lastModified: string; eTag?: string }[]>;
  /** A URL the browser GETs one stored file (that version) from, downloaded under `fileName`. */
  presignGet(key: string, opts: { versionId?: string; expiresInSeconds: number; fileName: string }): Promise<string>;
}

export interface ReportRecord {
  directiveId: string;
  periodId: string;
  unitId: string;
  reportKey: string;
  versionId: string;
  receivedAt: string;
  status: 'accepted' | 'rejected';
  format?: string;
  rows?: unknown[];
  notes?: string[];
  problems?: unknown[];
  onTime?: boolean;
  resubmission?: boolean;
}

/** The verdict on one uploaded file, filed by period (what reconciliation compares with the bucket's listing). */
export interface UploadOutcome {
  reportKey: string;
  versionId: string;
  unitId: string;
  status: 'accepted' | 'rejected';
  receivedAt: string;
}

/**
 * How recording an accepted report went: `recorded`; `already` (this file's verdict is on record: a retry after a
 * crash); `conflict` (the obligation changed since it was read: read it again and retry).
 */
export type RecordOutcome = 'recorded' | 'already' | 'conflict';

/** Every report received, accepted or not, newest last: the history of a unit's period. */
export interface ReportLog {
  /** Writes a record alone (no verdict marker, no obligation change): benches and migrations only. */
  putReport(record: ReportRecord): Promise<void>;
  reportsOf(ref: { directiveId: string; periodId: string; unitId: string }): Promise<ReportRecord[]>;
  /** The verdict on file for an uploaded key (any version), if any. */
  uploadOutcome(ref: { directiveId: string; periodId: string; reportKey: string }): Promise<UploadOutcome | undefined>;
  /**
   * One atomic step (TransactWriteItems): the file's verdict marker (only if it has none), the report record, and the
   * obligation as `obligation` was read, now closed by it (only if nobody changed it meanwhile).
   */
  recordAccepted(record: ReportRecord, obligation: Obligation, closed: Obligation): Promise<RecordOutcome>;
  /** The verdict marker and the record of a rejected file, atomically; `already` when the file has a verdict. */
  recordRejected(record: ReportRecord): Promise<Exclude<RecordOutcome, 'conflict'>>;
  /** Files judged before verdicts were filed have a record but no verdict: files it (conditional: only if none). */
  fileVerdict(record: ReportRecord): Promise<void>;
  /** The verdicts on file for these keys (BatchGetItem, 100 a request): what a listing of the bucket is checked against. */
  uploadOutcomesOf(files: readonly { directiveId: string; periodId: string; reportKey: string }[]): Promise<UploadOutcome[]>;
  /** Every verdict of a period (a Query per verdict shard, eventually consistent): which units' latest file was refused. */
  uploadOutcomesOfPeriod(directiveId: string, periodId: string): Promise<UploadOutcome[]>;
  /** The newest file received for a unit's period (its verdict and when), eventually consistent: one item read. */
  latestReportOf(ref: { directiveId: string; periodId: string; unitId: string }): Promise<Pick<ReportRecord, 'status' | 'receivedAt'> | undefined>;
}

/**
 * One rejection email per report and window. The first rejection opens a window and is told at once; later ones
 * in the window wait, and when it ends the latest is told with the count of attempts.
 */
export interface RejectionMailGate {
  noteRejection(
    ref: { directiveId: string; periodId: string; unitId: string },
    upload: { reportKey: string; versionId: string; at: Date },
    windowSeconds: number,
  ): Promise<{ send: 'now' } | { send: 'later'; windowEnd: string; scheduleFlush: boolean }>;
  /** The verdict waiting for the end of window `windowEnd`, if that window is still the current one. */
  pendingRejection(ref: { directiveId: string; periodId: string; unitId: string }, windowEnd: string): Promise<{ reportKey: string; versionId: string; attempts: number } | undefined>;
  /**
   * After the waiting verdict `told` was told: a new window from `now`, nothing waiting. 'newer-waiting' when another
   * file became the latest waiting meanwhile (tell that one too); 'moved-on' when the window is no longer this one.
   */
  closeRejectionWindow(
    ref: { directiveId: string; periodId: string; unitId: string },
    windowEnd: string,
    told: string,
    now: Date,
    windowSeconds: number,
  ): Promise<'closed' | 'moved-on' | 'newer-waiting'>;
}

/** Messages to a queue after a delay (at most 15 minutes: SQS's limit). */
export interface DelayedQueue<T> {
  sendAfter(item: T, delaySeconds: number): Promise<void>;
}

/** Computed period results, kept whole so they are read again without recomputing (and as the next period's baseline). */
export interface ResultsStore {
  getResults(directiveId: string, periodId: string): Promise<PeriodResults | undefined>;
  putResults(results: PeriodResults): Promise<void>;
}

/**
 * A counter per scope and fixed window (a DynamoDB item that expires with the window): presigned uploads per report
 * and hour, failed sign-ins per person and quarter hour. `ok: false` says when the next window starts.
 */
export interface RateCounter {
  takeSlot(scope: string, now: Date, windowSeconds: number, max: number): Promise<{ ok: true; used: number } | { ok: false; retryAt: Date }>;
}

/** The people who sign in to the console, with their roles and units (the table, not the identity provider). */
export interface PeopleDirectory {
  getPerson(email: string): Promise<Person | undefined>;
  /** Writes each person whole (their grants replace the old ones), and the per-unit index of who acts for it. */
  putPeople(people: readonly Person[]): Promise<void>;
  /** Who holds a role at this very unit. */
  peopleOfUnit(unitId: string): Promise<{ email: string; name: string; role: Role }[]>;
}

/** Tokens of a signed-in person (Cognito's): the ID token is the session, the refresh token renews it. */
export interface SignInTokens {
  idToken: string;
  refreshToken?: string;
  /** Seconds the ID token is valid. */
  expiresIn: number;
}

export type SignInResult = { ok: true; tokens: SignInTokens } | { ok: false; reason: 'bad-credentials' | 'password-reset-required' | 'not-confirmed' };

/** The identity provider (Amazon Cognito; cognito-local on one machine): passwords live there, nothing else does. */
export interface IdentityProvider {
  signIn(email: string, password: string): Promise<SignInResult>;
  refresh(refreshToken: string): Promise<SignInTokens | undefined>;
  /** Ends the session everywhere its refresh token would renew it. */
  signOut(refreshToken: string): Promise<void>;
  /** Sends a reset code by the provider's own email. Says nothing about whether the address exists. */
  forgotPassword(email: string): Promise<void>;
  confirmForgotPassword(email: string, code: string, newPassword: string): Promise<'ok' | 'bad-code' | 'weak-password'>;
  /** Creates the user if missing: invited by the provider's email, or with a permanent password (local samples). */
  ensureUser(email: string, opts: { password?: string }): Promise<'created' | 'exists'>;
}

/** Verifies an ID token (signature, issuer, audience, expiry) and says whose it is. */
export interface TokenVerifier {
  /** `authTime`: when the person signed in (kept across refreshes): a session's identity. */
  verify(idToken: string): Promise<{ email: string; sub: string; expiresAt: number; authTime: number } | undefined>;
}

/** One change a person made, as the audit trail keeps it (without expiry). */
export interface AuditEntry {
  at: string;
  requestId: string;
  actor: string;
  action: string;
  /** The unit the change concerns, and its path from the root (who may read the entry). */
  unitId: string;
  unitPath: readonly string[];
  /** What was changed: a directive id, a report key, a draft id… */
  target: string;
  /** A short Vietnamese description for people. */
  summaryVi: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Entries under `unit` (its subtree), newest first, for one month (`yyyy-mm`). */
  entriesUnder(unit: { id: string; path: readonly string[] }, month: string): Promise<AuditEntry[]>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What became of one uploaded file; `versionId` names the S3 object version it answers (a key may be overwritten). */
export type DocumentUploadOutcome = { versionId?: string } & (
  | { outcome: 'drafted'; draftId: string; at: string }
  | { outcome: 'duplicate'; draftId: string; sameAs: 'bytes' | 'identity' | 'text'; at: string }
  | { outcome: 'rejected'; code: string; messageVi: string; at: string }
);

/** Draft directives read from documents, and the signs that recognise a document seen before. */
export interface DraftStore {
  getDraft(draftId: string): Promise<DirectiveDraft | undefined>;
  /** Writes a new draft; 'exists' when a draft of that id is already there (a retry of the same upload). */
  putDraft(draft: DirectiveDraft): Promise<'written' | 'exists'>;
  /** Adds a file to a draft's sources; adding the same file again changes nothing. */
  addDraftSource(draftId: string, source: DraftSource): Promise<void>;
  /** The uploading unit's draft of a document with these bytes. Signs are per uploading unit. */
  draftByBytes(uploaderId: string, sha256: string): Promise<string | undefined>;
  draftByIdentity(uploaderId: string, identity: string): Promise<string | undefined>;
  /** The unit's drafts sharing at least one MinHash band with these keys, with their whole MinHash and identity. */
  draftsSharingBands(uploaderId: string, bands: readonly string[]): Promise<{ draftId: string; minhash: number[]; identity: string | null }[]>;
  /** Records the draft's signs (bytes, identity, bands) so later copies find it. Idempotent. */
  indexDraft(draft: DirectiveDraft, signs: { bytesSha256: string; bands: readonly string[] }): Promise<void>;
  markConfirmed(draftId: string, confirmed: { directiveId: string; at: string; input: Record<string, unknown> }): Promise<void>;
  draftsOf(uploaderId: string): Promise<DirectiveDraft[]>;
  recordDocumentUpload(key: string, outcome: DocumentUploadOutcome): Promise<void>;
  documentUpload(key: string): Promise<DocumentUploadOutcome | undefined>;
}

/** The level above's decisions on reports (directives with approval by the level above). */
export interface ApprovalStore {
  /**
   * Writes the obligation with its decision only if it is still exactly as read (status, version, deadline, count of
   * accepted reports and the previous decision): 'conflict' when it changed meanwhile (read again and decide again).
   */
  putDecision(read: Obligation, decided: Obligation): Promise<'recorded' | 'conflict'>;
}

/** A commune's targets split over its villages for one directive (seed 002 §2), as its officer last saved them. */
export interface VillageTargets {
  directiveId: string;
  communeId: string;
  /** The directive's version the split was checked against. */
  directiveVersion: number;
  /** Village id → indicator id → target. */
  targets: Record<string, Record<string, TargetValue>>;
  updatedAt: string;
  updatedBy: string;
}

export interface VillageTargetStore {
  /** The splits of these communes for a directive (BatchGetItem); a commune without one is absent. */
  getVillageTargets(directiveId: string, communeIds: readonly string[]): Promise<Map<string, VillageTargets>>;
  /** Replaces the commune's split whole. */
  putVillageTargets(split: VillageTargets): Promise<void>;
}

/**
 * The emulation year's records (registrations, clusters, nominations, council sessions, postings, opinions,
 * decisions) and every unit's titles by year. Writes that must not happen twice are conditional; a decision and the
 * history it writes land together or not at all.
 */
export interface EmulationStore {
  getRules(directiveId: string, year: number): Promise<EmulationRules | undefined>;
  putRules(directiveId: string, year: number, rules: EmulationRules): Promise<void>;

  getRegistration(directiveId: string, year: number, unitId: string): Promise<Registration | undefined>;
  registrationsOf(directiveId: string, year: number): Promise<Registration[]>;
  /** Written only over `expectedVersion` (0: none yet); the stored one is version `next.version`. */
  putRegistration(next: Registration, expectedVersion: number): Promise<'written' | 'conflict'>;

  clustersOf(directiveId: string, year: number): Promise<Cluster[]>;
  putClusters(directiveId: string, year: number, clusters: readonly Cluster[]): Promise<void>;

  nominationsOf(directiveId: string, year: number): Promise<Candidate[]>;
  /** One nomination per unit and title: the same nominator's second replaces the first (its report corrected); another's is 'taken'. */
  putNomination(directiveId: string, year: number, nomination: Candidate): Promise<'written' | 'taken'>;

  sessionsOf(directiveId: string, year: number): Promise<CouncilSession[]>;
  /** 'exists' when a session of that id is already recorded (a repeated submit records nothing). */
  putSession(session: CouncilSession): Promise<'written' | 'exists'>;

  getPosting(postingId: string): Promise<Posting | undefined>;
  postingsOf(directiveId: string, year: number): Promise<Posting[]>;
  putPosting(posting: Posting): Promise<'written' | 'exists'>;
  addOpinion(opinion: Opinion): Promise<void>;
  /** Newest first, at most `limit`. */
  opinionsOf(postingId: string, opts: { includeSpam: boolean; limit: number }): Promise<Opinion[]>;

  decisionsOf(directiveId: string, year: number): Promise<Decision[]>;
  /**
   * The decision with the titles it confers, atomically; 'exists' when this decision id is already stored,
   * 'number-taken' when the issuer already used this number for another decision, 'already-awarded' when a unit
   * already holds one of the titles for the year by another decision (nothing of this one is written).
   */
  putDecision(decision: Decision, history: readonly HistoryEntry[]): Promise<'written' | 'exists' | 'number-taken' | 'already-awarded'>;

  /** Every unit's titles, oldest year first. */
  historyOf(unitIds: readonly string[]): Promise<Map<string, HistoryEntry[]>>;
  /** Past years' titles (import): idempotent per unit, year and title. */
  putHistory(entries: readonly HistoryEntry[]): Promise<void>;
}
