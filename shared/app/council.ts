/**
 * Year end: the council's session (bình xét), the public posting of those who passed, the opinions anyone may leave
 * on it, and the competent level's decision that confers the titles, writes the units' history and notifies the
 * awardees. Every step may be repeated after a failure: each record is written once under an id the request
 * carries, and what follows it is written again idempotently.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import { InputError } from '../domain/errors.ts';
import { formatDateVi, isIsoDate, vietnamDate } from '../domain/calendar/index.ts';
import { Decision as DecisionRecord, type CouncilSession, type Decision, type EmulationRules, type HistoryEntry, type Opinion, type Posting, type Title } from '../domain/emulation/types.ts';
import { evaluateSession, quorumVi, thresholdVi } from '../domain/emulation/council.ts';
import { awardsOf, checkDecisionAwards } from '../domain/emulation/awards.ts';
import { checkOpinion, postingWindow } from '../domain/emulation/posting.ts';
import { minutesDocx } from '../paper/minutes-docx.ts';
import { decisionDocx } from '../paper/decision-docx.ts';
import { awardNotice } from '../mail/emulation-email.ts';
import { decisionKey, DOCX_CONTENT_TYPE, minutesKey } from '../contract/bucket.ts';
import { rulesOf, yearCandidates, type EmulationDeps } from './emulation-year.ts';
import type { RateCounter, ReportStorage } from './ports.ts';

export interface CouncilDeps extends EmulationDeps {
  storage: ReportStorage;
}

/** "Xã Hàm Thuận" → "XÃ HÀM THUẬN": the issuing body's line of a Decree 30 header. */
const upperVi = (s: string) => s.toLocaleUpperCase('vi');

async function issuerOf(deps: Pick<EmulationDeps, 'units'>, directive: Directive): Promise<Unit> {
  const issuer = (await deps.units.getUnits([directive.issuerId])).get(directive.issuerId);
  if (!issuer) throw new Error(`issuer ${directive.issuerId} of directive ${directive.id} is not in the unit directory`);
  return issuer;
}

export interface SessionInput {
  directive: Directive;
  /** Chosen when the form was opened: submitting it twice records one session. */
  sessionId: string;
  heldOn: string;
  members: number;
  present: number;
  tallies: { unitId: string; titleId: string; yes: number }[];
  chairName: string;
  secretaryName: string;
  by: string;
}

/**
 * Records the session when it is valid (quorum, tallies for candidates only, never more votes than members
 * present): nothing is stored otherwise. Then the minutes (DOCX) and the public posting of those who passed.
 */
export async function recordSession(deps: CouncilDeps, input: SessionInput): Promise<{ session: CouncilSession; posting: Posting | null; minutesKey: string }> {
  const { directive } = input;
  const { candidates, rules } = await yearCandidates(deps, directive);
  const session: CouncilSession = {
    id: input.sessionId,
    directiveId: directive.id,
    year: directive.year,
    councilUnitId: directive.issuerId,
    heldOn: input.heldOn,
    members: input.members,
    present: input.present,
    tallies: input.tallies,
    recordedBy: input.by,
    recordedAt: deps.clock.now().toISOString(),
  };
  checkHeldOn(input.heldOn, directive.year, vietnamDate(deps.clock.now()));
  evaluateSession(session, candidates, rules);
  const stored = (await deps.emulation.putSession(session)) === 'exists' ? ((await deps.emulation.sessionsOf(directive.id, directive.year)).find((s) => s.id === session.id) ?? session) : session;
  const outcomes = evaluateSession(stored, candidates, rules);
  const issuer = await issuerOf(deps, directive);
  const key = minutesKey(directive.id, directive.year, stored.id);
  const titleOf = (id: string) => rules.titles.find((t) => t.id === id)!;
  const bytes = await minutesDocx({
    councilName: `HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG ${upperVi(issuer.name)}`,
    parentBody: `ỦY BAN NHÂN DÂN ${upperVi(issuer.name)}`,
    place: placeOf(issuer),
    heldOn: stored.heldOn,
    directive: { kind: directive.kind, number: directive.number, subject: directive.title },
    year: directive.year,
    members: stored.members,
    present: stored.present,
    quorumVi: quorumVi(stored.members, rules.quorum),
    chairName: input.chairName,
    secretaryName: input.secretaryName,
    rows: outcomes.map((o) => ({ name: o.name, titleVi: titleOf(o.titleId).nameVi, yes: o.yes, present: o.present, thresholdVi: thresholdVi(titleOf(o.titleId).threshold), passed: o.passed })),
  });
  await deps.storage.put(key, bytes, DOCX_CONTENT_TYPE);
  const passed = outcomes.filter((o) => o.passed);
  if (!passed.length) return { session: stored, posting: null, minutesKey: key };
  const window = postingWindow(vietnamDate(new Date(stored.recordedAt)), rules.postingDays);
  const posting: Posting = { id: postingIdOf(stored), directiveId: directive.id, year: directive.year, sessionId: stored.id, ...window, outcomes };
  await deps.emulation.putPosting(posting);
  return { session: stored, posting: (await deps.emulation.getPosting(posting.id)) ?? posting, minutesKey: key };
}

/** The session's date: a real day of the year's end (the year, or January after it), not in the future. */
function checkHeldOn(heldOn: string, year: number, today: string): void {
  if (!isIsoDate(heldOn)) throw new InputError(`Ngày họp ${heldOn.split('-').reverse().join('/')} không phải một ngày có thật`);
  if (heldOn > today) throw new InputError(`Ngày họp ${formatDateVi(heldOn)} chưa đến; hãy ghi phiên họp sau khi họp`);
  if (heldOn < `${year}-01-01` || heldOn > `${year + 1}-12-31`) throw new InputError(`Ngày họp ${formatDateVi(heldOn)} không thuộc năm thi đua ${year}`);
}

/** The place a document is dated at: the province's name ("Bình Thuận") or the unit's own without its level word. */
function placeOf(unit: Unit): string {
  return unit.name.replace(/^(Tỉnh|Thành phố|Huyện|Thị xã|Xã|Phường|Thị trấn|Đặc khu)\s+/u, '');
}

/** Unguessable, so the public page of one posting leads nowhere else. */
const postingIdOf = (s: CouncilSession) => `p-${createHash('sha256').update(`${s.directiveId}/${s.year}/${s.id}`).digest('hex').slice(0, 24)}`;

export const OPINION_LIMITS = { perAddressPerHour: 5, perPostingPerHour: 300 } as const;

/**
 * Anyone may leave an opinion on an open posting, without signing in: a few per address and hour, a ceiling per
 * posting (a flood fills neither the table nor the office's list), spam kept but held back from the list.
 */
export async function leaveOpinion(
  deps: { emulation: EmulationDeps['emulation']; rates: RateCounter; clock: EmulationDeps['clock'] },
  input: { postingId: string; address: string; name: unknown; text: unknown },
  limits: { perAddressPerHour: number; perPostingPerHour: number } = OPINION_LIMITS,
): Promise<{ ok: true } | { ok: false; status: 400 | 404 | 409 | 429; messageVi: string }> {
  const posting = await deps.emulation.getPosting(input.postingId);
  if (!posting) return { ok: false, status: 404, messageVi: 'Không có danh sách niêm yết này' };
  const now = deps.clock.now();
  const today = vietnamDate(now);
  if (today < posting.startsOn || today > posting.endsOn) return { ok: false, status: 409, messageVi: 'Thời gian niêm yết đã kết thúc; không nhận thêm ý kiến' };
  const checked = checkOpinion({ name: input.name, text: input.text });
  if (!checked.ok) return { ok: false, status: 400, messageVi: checked.messageVi };
  const perAddress = await deps.rates.takeSlot(`opinion#${posting.id}#${input.address}`, now, 3600, limits.perAddressPerHour);
  const perPosting = perAddress.ok ? await deps.rates.takeSlot(`opinion#${posting.id}`, now, 3600, limits.perPostingPerHour) : perAddress;
  if (!perPosting.ok) return { ok: false, status: 429, messageVi: 'Đã nhận quá nhiều ý kiến trong giờ này; vui lòng gửi lại sau' };
  const opinion: Opinion = { postingId: posting.id, at: now.toISOString(), id: randomUUID(), name: checked.name, text: checked.text, spam: checked.spam };
  await deps.emulation.addOpinion(opinion);
  return { ok: true };
}

export interface DecisionInput {
  directive: Directive;
  postingId: string;
  number: string;
  issuedOn: string;
  signerTitle: string;
  signerName: string;
  /** The awards the decision confers, each one a passed outcome of the posting. */
  named: { unitId: string; titleId: string }[];
  by: string;
}

export class DecisionNumberTaken extends InputError {
  constructor(number: string) {
    super(`Số quyết định ${number} đã được dùng cho một quyết định khác; hãy kiểm tra lại số, ký hiệu`);
  }
}

/**
 * The competent level's decision: only passed outcomes of an ended posting, the DOCX in the bucket, then the
 * decision and the titles it confers written together, then one notice per awardee. Repeating it completes it.
 */
export async function issueDecision(deps: CouncilDeps, input: DecisionInput): Promise<Decision> {
  const { directive } = input;
  const posting = await deps.emulation.getPosting(input.postingId);
  if (!posting || posting.directiveId !== directive.id) throw new InputError('Không có danh sách niêm yết này cho chỉ thị');
  const id = `qd-${createHash('sha256').update(`${posting.id}/${input.number.trim()}`).digest('hex').slice(0, 20)}`;
  const [rules, issuer, decided] = await Promise.all([rulesOf(deps, directive), issuerOf(deps, directive), deps.emulation.decisionsOf(directive.id, directive.year)]);
  // The same decision again (a resubmitted form, a retry after a failure): complete it as first written.
  const existing = decided.find((d) => d.id === id);
  if (existing) return completeDecision(deps, existing, issuer);
  checkDecisionAwards(input.named, posting, vietnamDate(deps.clock.now()), rules);
  if (input.issuedOn <= posting.endsOn) throw new InputError(`Ngày ban hành quyết định phải sau ngày kết thúc niêm yết công khai (${formatDateVi(posting.endsOn)})`);
  checkNotAwardedBefore(input.named, decided, rules);
  const named = new Set(input.named.map((n) => `${n.unitId}/${n.titleId}`));
  const awards = awardsOf(posting.outcomes.filter((o) => named.has(`${o.unitId}/${o.titleId}`)), rules);
  const decision: Decision = {
    id,
    directiveId: directive.id,
    year: directive.year,
    postingId: posting.id,
    issuerId: issuer.id,
    number: input.number.trim(),
    issuedOn: input.issuedOn,
    place: placeOf(issuer),
    signerTitle: input.signerTitle.trim(),
    signerName: input.signerName.trim(),
    awards,
    baseSalary: rules.baseSalary,
    documentKey: decisionKey(directive.id, directive.year, id),
  };
  checkDecisionFields(decision);
  await deps.storage.put(decision.documentKey, await decisionBytes(decision, directive, issuer), DOCX_CONTENT_TYPE);
  return completeDecision(deps, decision, issuer);
}

const DECISION_FIELDS_VI: Record<string, string> = { number: 'Số, ký hiệu', signerTitle: 'Chức vụ người ký', signerName: 'Người ký', issuedOn: 'Ngày ban hành', awards: 'Danh sách khen thưởng' };

/** The decision as it will be stored: what the form gave is refused here, never read back broken later. */
function checkDecisionFields(decision: Decision): void {
  const parsed = DecisionRecord.safeParse(decision);
  if (!parsed.success) {
    throw new InputError('Quyết định chưa ban hành được; hãy sửa các mục sau', parsed.error.issues.map((i) => `${DECISION_FIELDS_VI[String(i.path[0])] ?? String(i.path[0])}: ${i.code === 'too_big' ? 'quá dài' : 'chưa đúng hoặc còn trống'}`));
  }
}

/** A unit is awarded a title once a year: a second decision (another number) naming it again is refused. */
function checkNotAwardedBefore(named: readonly { unitId: string; titleId: string }[], decided: readonly Decision[], rules: EmulationRules): void {
  const earlier = new Map(decided.flatMap((d) => d.awards.map((a) => [`${a.unitId}/${a.titleId}`, { d, a }] as const)));
  const again = named.flatMap((n) => earlier.get(`${n.unitId}/${n.titleId}`) ?? []);
  if (again.length) {
    const titleVi = (id: string) => rules.titles.find((t) => t.id === id)?.nameVi ?? id;
    throw new InputError('Có đơn vị đã được khen thưởng danh hiệu này trong năm', again.map(({ d, a }) => `${a.name} – ${titleVi(a.titleId)}: đã khen tại Quyết định số ${d.number} ngày ${formatDateVi(d.issuedOn)}`));
  }
}

/** The decision and the titles it confers (together), then one notice per awardee: each step repeatable. */
async function completeDecision(deps: CouncilDeps, decision: Decision, issuer: Unit): Promise<Decision> {
  const history: HistoryEntry[] = decision.awards.map((a) => ({
    unitId: a.unitId, year: decision.year, titleId: a.titleId, titleVi: a.titleVi,
    decisionNumber: decision.number, decidedOn: decision.issuedOn, issuerName: issuer.name, source: 'decision',
  }));
  const outcome = await deps.emulation.putDecision(decision, history);
  if (outcome === 'number-taken') throw new DecisionNumberTaken(decision.number);
  if (outcome === 'already-awarded') throw new InputError('Có đơn vị đã được khen thưởng danh hiệu này trong năm bằng một quyết định khác; chưa ban hành');
  await notifyAwardees(deps, decision, issuer);
  return decision;
}

function decisionBytes(decision: Decision, directive: Directive, issuer: Unit): Promise<Uint8Array> {
  const body = upperVi(issuer.name);
  return decisionDocx({
    parentBody: '',
    issuerName: `ỦY BAN NHÂN DÂN ${body}`,
    number: decision.number,
    place: decision.place,
    issuedOn: decision.issuedOn,
    subject: `Về việc tặng danh hiệu thi đua năm ${decision.year}`,
    authorityTitle: `CHỦ TỊCH ỦY BAN NHÂN DÂN ${body}`,
    bases: [
      'Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;',
      'Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;',
      'Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ về mức tiền thưởng;',
      `Căn cứ ${directive.kind} số ${directive.number} về ${directive.title};`,
    ],
    proposal: `Xét đề nghị của Hội đồng Thi đua - Khen thưởng ${issuer.name} sau phiên bình xét và thời gian niêm yết công khai.`,
    awards: decision.awards.map((a) => ({ name: a.name, titleVi: a.titleVi, amount: a.amount })),
    baseSalary: decision.baseSalary,
    fundVi: `Quỹ thi đua, khen thưởng của ${issuer.name}`,
    executors: `Văn phòng, bộ phận Thi đua - Khen thưởng, Kế toán và các đơn vị có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.`,
    // The chairman decides in his own name (Decree 30): a deputy signs "KT. CHỦ TỊCH", the chairman under no line.
    signer: { authority: /PHÓ/u.test(decision.signerTitle.toLocaleUpperCase('vi')) ? 'KT. CHỦ TỊCH' : '', title: decision.signerTitle, name: decision.signerName },
    recipients: ['Như Điều 3', 'Hội đồng Thi đua - Khen thưởng', 'Lưu: VT'],
  });
}

async function notifyAwardees(deps: CouncilDeps, decision: Decision, issuer: Unit): Promise<void> {
  const units = await deps.units.getUnits(decision.awards.map((a) => a.unitId));
  await deps.mail.sendAll(
    decision.awards.flatMap((a) => {
      const unit = units.get(a.unitId);
      const to = unit ? (unit.emails.length ? unit.emails : unit.leaderEmails) : [];
      if (!to.length) return [];
      const rendered = awardNotice({ unitName: a.name, titleVi: a.titleVi, amount: a.amount, decisionNumber: decision.number, issuedOn: decision.issuedOn, issuerName: issuer.name, year: decision.year });
      return [{ key: `award:${decision.id}:${a.unitId}:${a.titleId}`, to, cc: [], ...rendered, kind: 'award', directiveId: decision.directiveId, unitId: a.unitId }];
    }),
  );
}

/** Reads an office's past titles (in a worker under the parse budget, on the console). */
export type HistoryReader = (bytes: Uint8Array, expected: { titles: Title[]; units: { id: string; name: string }[] }) => Promise<{ entries: HistoryEntry[]; problems: { row: number; messageVi: string }[] }>;

/** Past years' titles from an XLSX: every problem named, nothing stored unless all rows are right. */
export async function importHistory(
  deps: Pick<EmulationDeps, 'emulation' | 'units'>,
  input: { bytes: Uint8Array; directive: Directive; units: ReadonlyMap<string, Unit> },
  read: HistoryReader,
): Promise<number> {
  const rules = await rulesOf(deps, input.directive);
  const { entries, problems } = await read(input.bytes, { titles: rules.titles, units: [...input.units.values()].map((u) => ({ id: u.id, name: u.name })) });
  if (problems.length) throw new InputError('Tệp lịch sử danh hiệu có lỗi; chưa lưu gì', problems.map((p) => p.messageVi));
  await deps.emulation.putHistory(entries);
  return entries.length;
}
