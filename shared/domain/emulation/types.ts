/**
 * The emulation year's records, as every layer sees them: the rules a directive's year runs by (titles, thresholds,
 * quorum, award money), the units' registrations, the clusters, the council's sessions, the public posting and its
 * opinions, the commendation decision, and each unit's titles by year. Plain JSON (no Date, Map or undefined
 * values), so a stored record reads back equal.
 *
 * Defaults come from the law (`../shared/domain.md`): quorum two thirds (Decree 98/2023 Art. 47), posting 7 days
 * (Art. 31 practice), award money multiplier × base salary (Decree 152/2025; base 2,340,000 đồng). Every number is
 * configuration.
 */
import { z } from 'zod';
import { UnitLevel } from '../units.ts';

const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** An exact fraction: thresholds and quorums are compared in integers, so "exactly two thirds" is never lost to 0.666…. */
export const Fraction = z.object({ num: z.number().int().min(0), den: z.number().int().min(1) }).refine((f) => f.num <= f.den, 'tử số không được lớn hơn mẫu số');
export type Fraction = z.infer<typeof Fraction>;

/** "more than half" (`more-than` 1/2), "at least 70%" (`at-least` 7/10), "at least 90%" (`at-least` 9/10). */
export const Threshold = z.object({ rule: z.enum(['more-than', 'at-least']), of: Fraction });
export type Threshold = z.infer<typeof Threshold>;

/**
 * A rule over a unit's past titles, as data: `consecutive` — the title (any of `titleIds`) in each of the `years`
 * years before the one considered; `consecutive-including` — `years` consecutive years each with one of `titleIds`,
 * among them at least `times` with `includingTitleId` (Law Art. 73: "at least 5 consecutive years … including 3
 * times …").
 */
export const HistoryRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('consecutive'), titleIds: z.array(Id).min(1), years: z.number().int().min(1).max(30) }),
  z.object({
    kind: z.literal('consecutive-including'),
    titleIds: z.array(Id).min(1),
    years: z.number().int().min(1).max(30),
    includingTitleId: Id,
    times: z.number().int().min(1).max(30),
  }),
]);
export type HistoryRule = z.infer<typeof HistoryRule>;

/** A title a unit of `level` may aim for, and how the council decides it. */
export const Title = z.object({
  id: Id,
  nameVi: z.string().trim().min(1).max(200),
  level: UnitLevel,
  /** Award money = multiplier × base salary (Decree 152/2025). */
  multiplier: z.number().min(0).max(100),
  threshold: Threshold,
  /** Shown beside each candidate; a candidate who does not meet them is flagged, the council still decides. */
  historyRules: z.array(HistoryRule).default([]),
  /** A cluster's flag (cờ thi đua): its year's leading unit proposes the candidates among the members. */
  clusterFlag: z.boolean().default(false),
});
export type Title = z.infer<typeof Title>;

export const EmulationRules = z.object({
  titles: z.array(Title).min(1),
  quorum: Fraction,
  baseSalary: z.number().int().min(0),
  postingDays: z.number().int().min(1).max(60),
  /** Registration closes at the end of this day of the year (MM-DD, Vietnam time). */
  registrationDeadline: z.string().regex(/^\d{2}-\d{2}$/),
  /** A unit that did not register (approved) is not considered at year end. */
  registrationRequired: z.boolean(),
  /**
   * The title the results' own proposal stands for (the units that met every target, kept the "4 không" and
   * reported every period), for a unit that registered no title of its level.
   */
  resultsTitleId: Id,
});
export type EmulationRules = z.infer<typeof EmulationRules>;

const atLeast = (num: number, den: number): Threshold => ({ rule: 'at-least', of: { num, den } });
const moreThanHalf: Threshold = { rule: 'more-than', of: { num: 1, den: 2 } };

/** The defaults an office starts from: titles a province and a commune decide for communes and villages. */
export const DEFAULT_RULES: EmulationRules = {
  titles: [
    { id: 'co-thi-dua-tinh', nameVi: 'Cờ thi đua của Ủy ban nhân dân tỉnh', level: 'commune', multiplier: 8, threshold: atLeast(9, 10), historyRules: [], clusterFlag: true },
    {
      id: 'tap-the-lao-dong-xuat-sac',
      nameVi: 'Tập thể lao động xuất sắc',
      level: 'commune',
      multiplier: 1.5,
      threshold: atLeast(7, 10),
      historyRules: [{ kind: 'consecutive', titleIds: ['tap-the-lao-dong-tien-tien', 'tap-the-lao-dong-xuat-sac'], years: 1 }],
      clusterFlag: false,
    },
    { id: 'tap-the-lao-dong-tien-tien', nameVi: 'Tập thể lao động tiên tiến', level: 'commune', multiplier: 0.8, threshold: moreThanHalf, historyRules: [], clusterFlag: false },
    { id: 'thon-van-hoa', nameVi: 'Thôn, tổ dân phố văn hóa', level: 'village', multiplier: 1.5, threshold: moreThanHalf, historyRules: [], clusterFlag: false },
  ],
  quorum: { num: 2, den: 3 },
  baseSalary: 2_340_000,
  postingDays: 7,
  registrationDeadline: '03-31',
  registrationRequired: false,
  resultsTitleId: 'tap-the-lao-dong-tien-tien',
};

/** Where a unit's registration stands (MISA CeGov's states, rolled up the hierarchy). */
export const RegistrationState = z.enum(['not-sent', 'awaiting', 'returned', 'approved']);
export type RegistrationState = z.infer<typeof RegistrationState>;

export const REGISTRATION_STATE_VI: Record<RegistrationState, string> = {
  'not-sent': 'Chưa gửi',
  awaiting: 'Chờ duyệt',
  returned: 'Đã trả lại',
  approved: 'Đã duyệt',
};

/** A unit's registration for one directive's year: the titles it aims for and its cluster's pledge. */
export const Registration = z.object({
  directiveId: z.string().min(1),
  year: z.number().int(),
  unitId: Id,
  titleIds: z.array(Id),
  pledgeSigned: z.boolean(),
  state: RegistrationState,
  submittedAt: z.string().nullable(),
  submittedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  /** Why it was returned. */
  reasonVi: z.string().nullable(),
  /** Sent after the registration deadline. */
  late: z.boolean(),
  version: z.number().int().min(0),
});
export type Registration = z.infer<typeof Registration>;

/** A cluster (cụm) of one block (khối): units of one level that compete together, across parents (Law Art. 16). */
export const Cluster = z.object({
  id: Id,
  nameVi: z.string().trim().min(1).max(200),
  /** The block the cluster belongs to: a unit is in at most one cluster of a block. */
  block: z.string().trim().min(1).max(100),
  memberIds: z.array(Id).min(1),
  /** Who leads the cluster, in the order of years from `rotationFrom`. */
  leaderRotation: z.array(Id).min(1),
  rotationFrom: z.number().int(),
  /** The cluster's own scoring table, when it agreed one (else the directive's). */
  rubric: z.record(z.string(), z.unknown()).nullable(),
});
export type Cluster = z.infer<typeof Cluster>;

/** A candidate for a title at year end: qualified by the results, or nominated by the level below with a report. */
export const Candidate = z.object({
  unitId: Id,
  name: z.string(),
  titleId: Id,
  source: z.enum(['results', 'nomination']),
  /** The achievement report (báo cáo thành tích) a nomination carries: its key in the bucket. */
  achievementReportKey: z.string().nullable(),
  nominatedBy: Id.nullable(),
});
export type Candidate = z.infer<typeof Candidate>;

/** One candidate's secret-ballot count. */
export const Tally = z.object({ unitId: Id, titleId: Id, yes: z.number().int().min(0) });
export type Tally = z.infer<typeof Tally>;

/** A council's session (phiên họp bình xét) as its secretary records it. */
export const CouncilSession = z.object({
  id: Id,
  directiveId: z.string().min(1),
  year: z.number().int(),
  councilUnitId: Id,
  heldOn: IsoDate,
  members: z.number().int().min(1),
  present: z.number().int().min(0),
  tallies: z.array(Tally),
  recordedBy: z.string(),
  recordedAt: z.string(),
});
export type CouncilSession = z.infer<typeof CouncilSession>;

export const Outcome = z.object({
  unitId: Id,
  name: z.string(),
  titleId: Id,
  yes: z.number().int(),
  present: z.number().int(),
  passed: z.boolean(),
  /** "8/10 phiếu (80%), ngưỡng: từ 70% trở lên — đạt". */
  explanationVi: z.string(),
});
export type Outcome = z.infer<typeof Outcome>;

/** The public posting (niêm yết công khai) of those who passed: open until `endsOn` inclusive (Vietnam days). */
export const Posting = z.object({
  id: Id,
  directiveId: z.string().min(1),
  year: z.number().int(),
  sessionId: Id,
  startsOn: IsoDate,
  endsOn: IsoDate,
  outcomes: z.array(Outcome),
});
export type Posting = z.infer<typeof Posting>;

export const Opinion = z.object({
  postingId: Id,
  at: z.string(),
  id: z.string(),
  name: z.string().max(100),
  text: z.string().max(2000),
  /** Held back from the office's list (links, repetition, flood). */
  spam: z.boolean(),
});
export type Opinion = z.infer<typeof Opinion>;

export const Award = z.object({ unitId: Id, name: z.string(), titleId: Id, titleVi: z.string(), amount: z.number().int().min(0) });
export type Award = z.infer<typeof Award>;

/** The commendation decision (quyết định khen thưởng) of the competent level. */
export const Decision = z.object({
  id: Id,
  directiveId: z.string().min(1),
  year: z.number().int(),
  postingId: Id,
  issuerId: Id,
  /** "125/QĐ-UBND". */
  number: z.string().trim().min(1).max(60),
  issuedOn: IsoDate,
  place: z.string().trim().min(1).max(100),
  signerTitle: z.string().trim().min(1).max(200),
  signerName: z.string().trim().min(1).max(100),
  awards: z.array(Award).min(1),
  baseSalary: z.number().int(),
  /** The DOCX's key in the bucket. */
  documentKey: z.string(),
});
export type Decision = z.infer<typeof Decision>;

/** A title a unit held in a year, by a decision (number, date, issuer) or imported from past years' files. */
export const HistoryEntry = z.object({
  unitId: Id,
  year: z.number().int().min(1945).max(2200),
  titleId: Id,
  titleVi: z.string(),
  decisionNumber: z.string().nullable(),
  decidedOn: IsoDate.nullable(),
  issuerName: z.string().nullable(),
  source: z.enum(['decision', 'import']),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;
