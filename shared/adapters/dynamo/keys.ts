/**
 * The single table's keys. Every access pattern is a GetItem, a BatchGetItem or a Query on one of these;
 * docs/data-model.md lists them. Items of one directive are spread over shard keys so that no partition
 * key takes more than about a thousand writes during a fan-out.
 */
import { shardOf } from '../../domain/assignment.ts';

export const META = '#META';

/** Spread of the due-date index (reminder sweeps) and of the mail log; fixed so readers know every shard. */
export const DUE_SHARDS = 32;
export const MAIL_SHARDS = 16;
/** Upload verdicts of a period: a deadline day's thousands of uploads stay far below a partition's write rate. */
export const UPLOAD_SHARDS = 16;

export const keys = {
  unit: (unitId: string) => ({ PK: `UNIT#${unitId}`, SK: META }),
  /** Materialized path: all descendants of a unit at a level are one Query with begins_with. */
  unitTree: (rootId: string, level: string, path: readonly string[]) => ({
    GSI1PK: `TREE#${rootId}`,
    GSI1SK: `${level}#/${path.join('/')}/`,
  }),
  unitTreePrefix: (level: string, path: readonly string[]) => `${level}#/${path.join('/')}/`,
  unitChildren: (parentId: string, unitId: string) => ({ GSI2PK: `PARENT#${parentId}`, GSI2SK: unitId }),

  directive: (directiveId: string) => ({ PK: `DIR#${directiveId}`, SK: META }),
  /** The current version of every directive of a year: a handful of items, read whole by the period-close job. */
  directivesOfYear: (year: number, directiveId: string) => ({ GSI1PK: `DIRECTIVES#${year}`, GSI1SK: directiveId }),
  directiveVersion: (directiveId: string, version: number) => ({
    PK: `DIR#${directiveId}`,
    SK: `V#${String(version).padStart(5, '0')}`,
  }),

  assignment: (unitId: string, directiveId: string) => ({ PK: `UNIT#${unitId}`, SK: `ASSIGN#${directiveId}` }),
  assignmentsOfDirective: (directiveId: string, shard: number) => `DIRA#${directiveId}#${shard}`,

  obligation: (unitId: string, directiveId: string, periodId: string) => ({
    PK: `UNIT#${unitId}`,
    SK: `OBL#${directiveId}#${periodId}`,
  }),
  obligationsOfUnitPrefix: (directiveId: string) => `OBL#${directiveId}#`,
  obligationsOfDirective: (directiveId: string, periodId: string, shard: number) => `DIRO#${directiveId}#${periodId}#${shard}`,
  /** Sparse: only open obligations carry it, so the daily sweep reads nothing that is already in. */
  openByDueDate: (dueDate: string, directiveId: string, unitId: string) => `DUE#${dueDate}#${shardOf(`${directiveId}/${unitId}`, DUE_SHARDS)}`,
  openByDueDateShard: (dueDate: string, shard: number) => `DUE#${dueDate}#${shard}`,

  /** Every report file received for a unit's period, in order of arrival (the key's own version last). */
  report: (r: { unitId: string; directiveId: string; periodId: string; receivedAt: string; reportKey: string; versionId: string }) => ({
    PK: `UNIT#${r.unitId}`,
    SK: `REPORT#${r.directiveId}#${r.periodId}#${r.receivedAt}#${r.reportKey.slice(r.reportKey.lastIndexOf('/') + 1)}#${r.versionId}`,
  }),
  reportsPrefix: (directiveId: string, periodId: string) => `REPORT#${directiveId}#${periodId}#`,
  /**
   * The verdict on one uploaded report file: written in the same transaction as the report record, read by key
   * (first thing the intake does; the nightly reconciliation checks each listed file). Spread over 16 keys per period.
   */
  uploadOutcome: (r: { directiveId: string; periodId: string; reportKey: string }) => ({
    PK: `UPLOADS#${r.directiveId}#${r.periodId}#${shardOf(r.reportKey, UPLOAD_SHARDS)}`,
    SK: r.reportKey,
  }),
  /** One verdict shard of a period (its files' verdicts, read whole by the status page). */
  uploadOutcomeShard: (directiveId: string, periodId: string, shard: number) => `UPLOADS#${directiveId}#${periodId}#${shard}`,
  /** When the unit was last told a report was rejected, and the verdicts since: one rejection email per window. */
  rejectionMail: (r: { unitId: string; directiveId: string; periodId: string }) => ({ PK: `UNIT#${r.unitId}`, SK: `REJMAIL#${r.directiveId}#${r.periodId}` }),

  /** A rate counter: one scope (`upload#<d>#<p>#<u>`, `signin#<email>`) in one fixed window, expiring after it. */
  rate: (scope: string, windowStart: string) => ({ PK: `RATE#${scope}`, SK: windowStart }),

  /** A person who signs in to the console: their name and grants. */
  person: (email: string) => ({ PK: `PERSON#${email}`, SK: META }),
  /** Who acts for a unit, in that unit's partition: the unit's people are one Query. */
  personOfUnit: (unitId: string, email: string, role: string) => ({ PK: `UNIT#${unitId}`, SK: `PERSON#${email}#${role}` }),
  personOfUnitPrefix: 'PERSON#',

  /** The audit trail, by the root of the unit concerned and month; kept without expiry. */
  audit: (rootId: string, month: string, at: string, requestId: string) => ({ PK: `AUDIT#${rootId}#${month}`, SK: `${at}#${requestId}` }),
  auditMonth: (rootId: string, month: string) => `AUDIT#${rootId}#${month}`,

  /** That a period's results are stored (in S3), and when they were computed. */
  results: (directiveId: string, periodId: string) => ({ PK: `DIR#${directiveId}`, SK: `RESULTS#${periodId}` }),

  /** The government's adjustments for a year: one small item, read with the years around a date. */
  calendar: (year: number) => ({ PK: `CALENDAR#${year}`, SK: META }),

  /** A draft directive read from an uploaded document; listed per uploading unit, newest last. */
  draft: (draftId: string) => ({ PK: `DRAFT#${draftId}`, SK: META }),
  draftsOfUnit: (uploaderId: string, createdAt: string, draftId: string) => ({ GSI1PK: `DRAFTS#${uploaderId}`, GSI1SK: `${createdAt}#${draftId}` }),
  /**
   * Signs that a unit uploaded a document before: its bytes, its own number and date, each band of its text's
   * MinHash. Per uploading unit: every district relays the same provincial document, each to its own communes.
   */
  documentBytes: (uploaderId: string, sha256: string) => ({ PK: `DOCHASH#${uploaderId}#${sha256}`, SK: META }),
  documentIdentity: (uploaderId: string, identity: string) => ({ PK: `DOCID#${uploaderId}#${identity}`, SK: META }),
  documentBand: (uploaderId: string, band: string, draftId: string) => ({ PK: `DOCBAND#${uploaderId}#${band}`, SK: draftId }),
  /** What became of one uploaded document file: the CLI waits for it, and the officer can ask later. */
  documentUpload: (key: string) => ({ PK: `DOCUPLOAD#${key}`, SK: META }),

  mailLog: (key: string) => ({ PK: `MAIL#${key}`, SK: META }),
  mailLogOfDirective: (directiveId: string, shard: number) => `DIRM#${directiveId}#${shard}`,

  /** Every obligation of a unit, all directives: the officer's list is one Query in the unit's partition. */
  obligationsOfAnyDirectivePrefix: 'OBL#',
  /** A commune's targets split over its villages for one directive, in the commune's partition. */
  villageTargets: (communeId: string, directiveId: string) => ({ PK: `UNIT#${communeId}`, SK: `VTARGETS#${directiveId}` }),

  /** The emulation year of a directive, in the directive's partition: a few thousand items at most per year. */
  emulationRules: (directiveId: string, year: number) => ({ PK: `DIR#${directiveId}`, SK: `EMU#${year}#RULES` }),
  registration: (directiveId: string, year: number, unitId: string) => ({ PK: `DIR#${directiveId}`, SK: `EMU#${year}#REG#${unitId}` }),
  registrationsPrefix: (year: number) => `EMU#${year}#REG#`,
  clusters: (directiveId: string, year: number) => ({ PK: `DIR#${directiveId}`, SK: `EMU#${year}#CLUSTERS` }),
  nomination: (directiveId: string, year: number, titleId: string, unitId: string) => ({ PK: `DIR#${directiveId}`, SK: `EMU#${year}#NOM#${titleId}#${unitId}` }),
  nominationsPrefix: (year: number) => `EMU#${year}#NOM#`,
  councilSession: (directiveId: string, year: number, sessionId: string) => ({ PK: `DIR#${directiveId}`, SK: `EMU#${year}#SESSION#${sessionId}` }),
  councilSessionsPrefix: (year: number) => `EMU#${year}#SESSION#`,
  decision: (directiveId: string, year: number, decisionId: string) => ({ PK: `DIR#${directiveId}`, SK: `EMU#${year}#DECISION#${decisionId}` }),
  decisionsPrefix: (year: number) => `EMU#${year}#DECISION#`,
  /** A decision's number and symbol, once per issuer: two decisions never share one. */
  decisionNumber: (issuerId: string, number: string) => ({ PK: `DECNO#${issuerId}#${number}`, SK: META }),
  /** The public posting is read by its id alone (the public page knows nothing else); listed per directive's year. */
  posting: (postingId: string) => ({ PK: `POSTING#${postingId}`, SK: META }),
  postingsOfYear: (directiveId: string, year: number, postingId: string) => ({ GSI1PK: `POSTINGS#${directiveId}#${year}`, GSI1SK: postingId }),
  opinion: (postingId: string, at: string, opinionId: string) => ({ PK: `POSTING#${postingId}`, SK: `OPINION#${at}#${opinionId}` }),
  opinionsPrefix: 'OPINION#',
  /** A title a unit held in a year, in the unit's partition: the unit's whole history is one Query. */
  title: (unitId: string, year: number, titleId: string) => ({ PK: `UNIT#${unitId}`, SK: `TITLE#${year}#${titleId}` }),
  titlesPrefix: 'TITLE#',
};
