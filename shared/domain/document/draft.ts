/**
 * From a document that was read to a directive the officer can confirm: number, issuer, year, target units
 * (recipients and units named, matched to the hierarchy ignoring diacritics), cadence, deadline rule, and the
 * target groups as indicators to complete. What the document does not say stays null and is listed as missing;
 * what is only a suggestion (a default deadline, a title built from the cited directive) is listed for review.
 */
import type { z } from 'zod';
import type { Aggregation, Cadence, DeadlineRule, Direction, IndicatorKind, TargetUnits, TargetValue } from '../directive.ts';
import { LEVEL_NAME_VI, type Unit, type UnitLevel } from '../units.ts';
import { foldVi, slugVi } from '../text.ts';
import type { ExtractedDocument } from './extract.ts';

export interface UnitMatch {
  /** As the document wrote it. */
  mention: string;
  unitId: string | null;
  unitName: string | null;
  source: 'recipient' | 'text';
  /** A recipient that names a whole level ("Đảng ủy các xã, thị trấn"), not one unit. */
  level?: UnitLevel;
}

export interface DraftNote {
  field: string;
  vi: string;
}

export interface ProposedIndicator {
  id: string;
  group?: string;
  name: string;
  measure: string | null;
  kind: z.infer<typeof IndicatorKind> | null;
  direction: z.infer<typeof Direction> | null;
  aggregation: z.infer<typeof Aggregation> | null;
  weightBy?: 'households' | 'population';
  target: TargetValue | null;
  /** Recognised from the vocabulary of known targets (kind, measure and roll-up proposed), or only named. */
  recognised: boolean;
}

export interface DirectiveProposal {
  id: string;
  number: string | null;
  kind: string;
  issuerId: string;
  issuerName: string;
  title: string | null;
  year: number | null;
  issuedOn: string | null;
  targetUnits: TargetUnits | null;
  cadences: Cadence[];
  cutoff: 'decree09' | 'calendar';
  deadline: DeadlineRule;
  reportTo?: string;
  indicators: ProposedIndicator[];
}

export interface DraftProposal {
  directive: DirectiveProposal;
  units: UnitMatch[];
  missing: DraftNote[];
  review: DraftNote[];
}

/** One file the draft was read from, or recognised as the same document. */
export interface DraftSource {
  key: string;
  fileName: string;
  format: string;
  encoding: string;
  bytesSha256: string;
  receivedAt: string;
  /** How a later file was recognised as this document. */
  sameAs?: 'bytes' | 'identity' | 'text';
  similarity?: number;
}

export interface DirectiveDraft {
  draftId: string;
  status: 'draft' | 'confirmed';
  uploaderId: string;
  createdAt: string;
  sources: DraftSource[];
  document: ExtractedDocument;
  proposal: DraftProposal;
  identity: string | null;
  minhash: number[];
  /** Once confirmed: the directive it became, and what was issued (confirming again re-announces it). */
  directiveId?: string;
  confirmedAt?: string;
  confirmedInput?: Record<string, unknown>;
}

export interface ProposeContext {
  /** The normalised text the document was read from (for mentions, year and deadline). */
  text: string;
  /** The unit whose office uploaded the document: it issues (or relays) the directive. */
  uploader: Unit;
  /** The uploader's ancestors and every unit under it above village level: where names are looked for. */
  units: readonly Unit[];
  /** Unit levels that exist under the uploader (a recipient "các xã" only targets communes if there are any). */
  levelsBelow: ReadonlySet<UnitLevel>;
}

const LEVEL_WORDS = ['tinh', 'thanh pho', 'huyen', 'thi xa', 'quan', 'xa', 'phuong', 'thi tran', 'dac khu', 'thon', 'khu pho', 'to dan pho', 'ap', 'ban'];

/** "Thị trấn Ma Lâm" → "ma lam": the name without its level word, folded. */
export function bareName(name: string): string {
  const f = squash(foldVi(name));
  for (const w of LEVEL_WORDS) if (f.startsWith(`${w} `)) return f.slice(w.length + 1);
  return f;
}

const squash = (s: string) => s.replace(/[\s\u00a0]+/g, ' ').trim();
/** Folded text with spaces around words, so " xa ham hiep " finds whole words only. */
const searchable = (s: string) => ` ${squash(foldVi(s).replace(/[^a-z0-9]+/g, ' '))} `;

/**
 * How a unit's name can appear: "xã Hàm Hiệp", "UBND xã Hàm Hiệp", "Huyện ủy Hàm Thuận Bắc" (with its level word),
 * and, in a recipient line only, a bare name of two words or more ("Hàm Thuận Bắc"). In running text a bare name
 * is too often an ordinary phrase ("tinh thần đoàn kết").
 */
function namePatterns(u: Unit, inRecipient: boolean): string[] {
  const full = searchable(u.name).trim();
  const bare = bareName(u.name);
  const level = full.slice(0, full.length - bare.length).trim();
  const out = [full];
  if (level && bare) out.push(`${level} uy ${bare}`);
  if (inRecipient && bare.split(' ').length >= 2 && u.level !== 'village') out.push(bare);
  return out;
}

/** A recipient line that names one unit ("UBND xã Tân Lập"), as opposed to a body or a group. */
const NAMES_A_UNIT = / (xa|phuong|thi tran|huyen|thi xa|quan|thanh pho|dac khu) [a-z]/;

/** Generic recipients naming a whole level under the issuer. */
const LEVEL_PHRASES: { level: UnitLevel; re: RegExp }[] = [
  { level: 'district', re: / cac huyen | huyen thi thanh uy | huyen thi xa thanh pho | cac quan huyen / },
  { level: 'commune', re: / cac xa | xa thi tran | xa phuong | cac phuong | cac thi tran | xa phuong thi tran | cac dang uy xa / },
  { level: 'village', re: / cac thon | thon khu pho | thon ban | to dan pho / },
];

export function matchUnits(doc: ExtractedDocument, ctx: ProposeContext): UnitMatch[] {
  const matches: UnitMatch[] = [];
  const seen = new Set<string>();
  const candidates = ctx.units.filter((u) => u.id !== ctx.uploader.id && !ctx.uploader.path.slice(0, -1).includes(u.id));
  const find = (haystack: string, inRecipient: boolean) => candidates.filter((u) => namePatterns(u, inRecipient).some((pat) => haystack.includes(` ${pat} `)));

  for (const recipient of doc.recipients) {
    const hay = searchable(recipient);
    const named = find(hay, true);
    for (const unit of named) {
      if (seen.has(unit.id)) continue;
      seen.add(unit.id);
      matches.push({ mention: recipient, unitId: unit.id, unitName: unit.name, source: 'recipient' });
    }
    if (named.length) continue;
    const level = LEVEL_PHRASES.find((p) => p.re.test(hay))?.level;
    if (level && ctx.levelsBelow.has(level)) matches.push({ mention: recipient, unitId: null, unitName: null, source: 'recipient', level });
    // A unit by name that is not in the hierarchy (a typo, OCR damage, another district's): shown, never guessed.
    else if (!level && NAMES_A_UNIT.test(hay)) matches.push({ mention: recipient, unitId: null, unitName: null, source: 'recipient' });
  }
  const text = searchable(ctx.text);
  for (const unit of find(text, false)) {
    if (seen.has(unit.id)) continue;
    seen.add(unit.id);
    const mention = mentionIn(ctx.text, unit) ?? unit.name;
    matches.push({ mention, unitId: unit.id, unitName: unit.name, source: 'text' });
  }
  return matches;
}

/** The words of the original text that named the unit (for showing the officer what was matched). */
function mentionIn(text: string, unit: Unit): string | undefined {
  const bare = bareName(unit.name).split(' ');
  const level = searchable(unit.name).trim().split(' ').slice(0, -bare.length);
  const words = text.split(/\s+/);
  const plain = (w: string) => foldVi(w).replace(/[^a-z0-9]/g, '');
  // The occurrence with the unit's level word before it ("xã Hòa Bình"), not an ordinary phrase ("hòa bình").
  for (let i = level.length; i + bare.length <= words.length; i++) {
    const name = words.slice(i, i + bare.length).map(plain).join(' ');
    const before = words.slice(i - level.length, i).map(plain).join(' ');
    if (name === bare.join(' ') && (before === level.join(' ') || before.endsWith('uy'))) {
      return words.slice(i - level.length, i + bare.length).join(' ').replace(/[,;.:]+$/, '');
    }
  }
  return undefined;
}

interface KnownTarget {
  re: RegExp;
  indicator: Omit<ProposedIndicator, 'group' | 'recognised' | 'target'> & { target?: TargetValue };
}

/** Targets the movement's documents keep naming (seed 002's six groups, the "4 không"), with how each is measured. */
const KNOWN_TARGETS: KnownTarget[] = [
  { re: / thu cac loai quy | huy dong suc dan /, indicator: { id: 'thu-quy', name: 'Huy động sức dân thu các loại quỹ theo quy định', measure: '% kế hoạch', kind: 'percent', direction: 'reach', aggregation: 'mean' } },
  { re: / giao thong nong thon /, indicator: { id: 'giao-thong', name: 'Làm mới, nâng cấp đường giao thông nông thôn', measure: 'km', kind: 'number', direction: 'increase', aggregation: 'sum' } },
  // New countryside (nông thôn mới): communes meeting the standard, criteria met, income.
  { re: / (xa|xa phuong|xa thi tran)( [a-z]+){0,3} (dat chuan )?nong thon moi /, indicator: { id: 'xa-nong-thon-moi', name: 'Số xã đạt chuẩn nông thôn mới', measure: 'xã', kind: 'count', direction: 'increase', aggregation: 'sum' } },
  { re: / tieu chi nong thon moi /, indicator: { id: 'tieu-chi-ntm', name: 'Số tiêu chí nông thôn mới đạt được (bình quân mỗi xã)', measure: 'tiêu chí', kind: 'number', direction: 'increase', aggregation: 'mean' } },
  { re: / thu nhap binh quan /, indicator: { id: 'thu-nhap-binh-quan', name: 'Thu nhập bình quân đầu người', measure: 'triệu đồng/người/năm', kind: 'number', direction: 'increase', aggregation: 'weighted-mean', weightBy: 'population' } },
  // Poverty reduction (giảm nghèo): the multidimensional rate, near-poor households, households leaving poverty.
  { re: / ngheo da chieu /, indicator: { id: 'ngheo-da-chieu', name: 'Tỷ lệ hộ nghèo đa chiều', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'weighted-mean', weightBy: 'households' } },
  { re: / ho can ngheo /, indicator: { id: 'ho-can-ngheo', name: 'Tỷ lệ hộ cận nghèo', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'weighted-mean', weightBy: 'households' } },
  { re: / thoat ngheo /, indicator: { id: 'thoat-ngheo', name: 'Số hộ thoát nghèo', measure: 'hộ', kind: 'count', direction: 'increase', aggregation: 'sum' } },
  { re: / ho ngheo (?!da chieu)/, indicator: { id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'weighted-mean', weightBy: 'households' } },
  { re: / suy dinh duong /, indicator: { id: 'suy-dinh-duong', name: 'Tỷ lệ trẻ dưới 5 tuổi suy dinh dưỡng', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'weighted-mean', weightBy: 'population' } },
  // Cultural villages: thôn, làng, bản, ấp, khu phố, khu dân cư (not the "nhà văn hóa", a building).
  { re: / (thon|lang ban|lang|khu pho|to dan pho|ap|khu dan cu)( [a-z]+){0,3} van hoa /, indicator: { id: 'thon-van-hoa', name: 'Tỷ lệ thôn, khu phố đạt danh hiệu văn hóa', measure: '%', kind: 'percent', direction: 'reach', aggregation: 'mean' } },
  { re: / gia dinh van hoa /, indicator: { id: 'gia-dinh-van-hoa', name: 'Tỷ lệ hộ gia đình đạt danh hiệu gia đình văn hóa', measure: '%', kind: 'percent', direction: 'reach', aggregation: 'weighted-mean', weightBy: 'households' } },
  { re: / thu gom rac /, indicator: { id: 'thu-gom-rac', name: 'Tỷ lệ hộ dân đăng ký tham gia thu gom rác thải', measure: '%', kind: 'percent', direction: 'increase', aggregation: 'weighted-mean', weightBy: 'households' } },
  { re: / bao hiem y te /, indicator: { id: 'bhyt', name: 'Tỷ lệ người dân tham gia bảo hiểm y tế', measure: '%', kind: 'percent', direction: 'increase', aggregation: 'weighted-mean', weightBy: 'population' } },
  { re: / (phat trien|ket nap) dang vien /, indicator: { id: 'dang-vien-moi', name: 'Kết nạp đảng viên mới', measure: 'người', kind: 'count', direction: 'increase', aggregation: 'sum' } },
  {
    re: / chi bo | ban dieu hanh | ban cong tac mat tran /,
    indicator: { id: 'chi-bo-vung-manh', name: 'Chi bộ, ban điều hành, ban công tác Mặt trận thôn, khu phố hoàn thành tốt nhiệm vụ', measure: 'có/không', kind: 'yes-no', direction: 'reach', aggregation: 'all', target: true },
  },
];

/** "4 không" is a criterion of zero incidents: its target is known (0) wherever the document names it. */
const FOUR_NO: ProposedIndicator[] = [
  ['khong-toi-pham', 'Số vụ tội phạm nghiêm trọng, tệ nạn xã hội phức tạp'],
  ['khong-attp', 'Số vụ vi phạm an toàn thực phẩm'],
  ['khong-khieu-kien', 'Số vụ khiếu kiện đông người, vượt cấp'],
  ['khong-tai-nan', 'Số vụ tai nạn giao thông nghiêm trọng'],
].map(([id, name]) => ({ id: id!, group: '4 không', name: name!, measure: 'vụ', kind: 'count', direction: 'decrease', aggregation: 'sum', target: 0, recognised: true }));

/** "4 không" as the criterion (quoted, or after the words that introduce it), not "Điều 4 không áp dụng". */
const FOUR_NO_CRITERION = /["“]\s*(4|bon) khong\s*["”]|(tieu chi|noi dung|thuc hien|giu vung|dat)( cac)? (4|bon) khong\b/;

export function proposeIndicators(doc: ExtractedDocument, text: string): ProposedIndicator[] {
  const out: ProposedIndicator[] = [];
  const ids = new Set<string>();
  doc.targets.forEach((group, i) => {
    const folded = searchable(group.text);
    const known = KNOWN_TARGETS.filter((k) => k.re.test(folded) && !ids.has(k.indicator.id));
    for (const k of known) {
      ids.add(k.indicator.id);
      out.push({ ...k.indicator, group: group.label, target: k.indicator.target ?? null, recognised: true });
    }
    if (!known.length) {
      const id = `nhom-${i + 1}`;
      ids.add(id);
      const name = group.text.replace(/^[\s\-–]+/, '').replace(/[;.,\s]+$/, '');
      out.push({ id, group: group.label, name, measure: null, kind: null, direction: null, aggregation: null, target: null, recognised: false });
    }
  });
  if (FOUR_NO_CRITERION.test(foldVi(text))) for (const ind of FOUR_NO) if (!ids.has(ind.id)) out.push({ ...ind });
  return out;
}

/** The year the targets are for: "trong năm 2020" said most often, else the year of issue. */
export function targetYear(text: string, issuedOn: string | null, subject: string | null = null): number | null {
  return statedYear(text, subject) ?? (issuedOn ? Number(issuedOn.slice(0, 4)) : null);
}

/** The year the document says it is for: in its subject ("Kế hoạch … năm 2021"), else the one its text repeats. */
function statedYear(text: string, subject: string | null): number | null {
  const inSubject = subject ? / nam (\d{4}) /.exec(searchable(subject)) : null;
  if (inSubject && Number(inSubject[1]) >= 2000 && Number(inSubject[1]) <= 2100) return Number(inSubject[1]);
  const counts = new Map<number, number>();
  for (const m of searchable(text).matchAll(/ (?:trong|cua|cho) nam (\d{4}) /g)) {
    const y = Number(m[1]);
    if (y >= 2000 && y <= 2100) counts.set(y, (counts.get(y) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
  return best ? best[0] : null;
}

/** The reporting deadline, where the document states one; undefined where it does not. */
export function deadlineRule(text: string): DeadlineRule | undefined {
  const f = searchable(text);
  const working = / (?:cham nhat|trong vong|trong thoi han|sau) (\d{1,2}) ngay lam viec /.exec(f);
  if (working) return { kind: 'workingDaysAfterCutoff', days: Number(working[1]) };
  const day = / (?:truoc|cham nhat la|cham nhat) ngay (\d{1,2}) (?:hang thang|cua thang cuoi quy|thang cuoi quy|cua thang cuoi ky) /.exec(f);
  if (day && Number(day[1]) >= 1 && Number(day[1]) <= 31) return { kind: 'dayOfMonth', day: Number(day[1]) };
  return undefined;
}

const KIND_ID: Record<string, string> = {
  'chỉ thị': 'ct',
  'kế hoạch': 'kh',
  'thông báo': 'tb',
  'công văn': 'cv',
  'quyết định': 'qd',
  'báo cáo': 'bc',
  'hướng dẫn': 'hd',
  'nghị quyết': 'nq',
  'kết luận': 'kl',
};

/** A directive id from what is known: "bt-htb-15-cv-hu-2020", or "bt-htb-cv-2020-<draft>" without a number. */
export function proposedDirectiveId(issuerId: string, number: string | null, kind: string, year: number | null, draftId: string): string {
  const parts = number ? [issuerId, slugVi(number.replaceAll('Đ', 'D'))] : [issuerId, KIND_ID[kind] ?? 'vb'];
  if (year) parts.push(String(year));
  if (!number) parts.push(draftId.replace(/^bn-/, '').slice(0, 6));
  return parts.join('-').slice(0, 81).replace(/-+$/, '');
}

/** A title built from the directive the document carries out, when it has no subject line of its own. */
function titleFromReference(doc: ExtractedDocument, text: string, year: number | null): string | null {
  const ref = doc.references[0];
  if (!ref) return null;
  const kind = ref.kind ? ref.kind[0]!.toUpperCase() + ref.kind.slice(1) : 'Văn bản';
  const at = text.indexOf(ref.number);
  const quoted = at >= 0 ? /[“"]([^”"]{10,200})[”"]/.exec(text.slice(at, at + 400)) : null;
  return `Triển khai ${kind} số ${ref.number}${quoted ? ` “${squash(quoted[1]!)}”` : ''}${year ? ` năm ${year}` : ''}`;
}

export function proposeDirective(doc: ExtractedDocument, ctx: ProposeContext, draftId: string): DraftProposal {
  const missing: DraftNote[] = [];
  const review: DraftNote[] = [];
  const units = matchUnits(doc, ctx);
  const year = targetYear(ctx.text, doc.issuedOn, doc.subject);
  const kind = doc.kind ?? 'chỉ thị';

  if (!doc.number) missing.push({ field: 'number', vi: 'Không đọc được số, ký hiệu của văn bản (phần đầu văn bản bị thiếu hoặc mờ); nhập "number", ví dụ "15-CV/HU".' });
  if (!doc.issuedOn) missing.push({ field: 'issuedOn', vi: 'Không đọc được ngày ban hành; nhập "issuedOn" dạng năm-tháng-ngày, ví dụ "2020-03-05".' });
  if (!year) missing.push({ field: 'year', vi: 'Không xác định được năm thực hiện chỉ tiêu; nhập "year", ví dụ 2020.' });
  else if (!statedYear(ctx.text, doc.subject)) review.push({ field: 'year', vi: `Văn bản không nói rõ năm thực hiện; tạm lấy năm ban hành (${year}).` });

  // The uploading unit gives the directive to its own units: its name is the issuer's, unless the document is its own.
  const ownDocument = doc.issuer !== null && searchable(doc.issuer).includes(` ${bareName(ctx.uploader.name)} `);
  const issuerName = ownDocument ? doc.issuer! : ctx.uploader.name;
  if (!doc.issuer) review.push({ field: 'issuerName', vi: `Văn bản không ghi cơ quan ban hành ở phần đầu; tạm ghi đơn vị đã tải lên: ${ctx.uploader.name}.` });
  else if (!ownDocument) {
    review.push({ field: 'issuerName', vi: `Văn bản do ${doc.issuer} ban hành, được tải lên từ ${ctx.uploader.name}: chỉ thị sẽ do ${ctx.uploader.name} giao cho các đơn vị của mình.` });
  }

  let title = doc.subject;
  if (!title) {
    title = titleFromReference(doc, ctx.text, year);
    if (title) review.push({ field: 'title', vi: `Văn bản không có trích yếu; đề xuất: “${title}”.` });
    else missing.push({ field: 'title', vi: 'Văn bản không có trích yếu; nhập "title".' });
  }

  const levelMatch = units.find((u) => u.level);
  const under = (m: UnitMatch) => ctx.units.find((x) => x.id === m.unitId)?.path.includes(ctx.uploader.id) ?? false;
  // The recipients say who receives the targets; units only named in the body are shown for the officer to add.
  const addressed = units.filter((u) => u.unitId && u.source === 'recipient' && under(u));
  const mentioned = units.filter((u) => u.unitId && u.source === 'text' && under(u));
  let targetUnits: TargetUnits | null = null;
  if (levelMatch?.level) {
    targetUnits = { scope: 'level', level: levelMatch.level };
    review.push({ field: 'targetUnits', vi: `Giao cho mọi đơn vị cấp ${LEVEL_NAME_VI[levelMatch.level]} thuộc ${ctx.uploader.name} (theo “${levelMatch.mention}”).` });
  } else if (addressed.length) {
    targetUnits = { scope: 'list', unitIds: addressed.map((u) => u.unitId!) };
  }
  if (mentioned.length && targetUnits?.scope !== 'level') {
    review.push({ field: 'targetUnits', vi: `Văn bản còn nêu ${mentioned.map((u) => u.unitName).join(', ')} trong nội dung; thêm vào danh sách nhận chỉ tiêu nếu cần.` });
  }
  for (const u of units.filter((m) => m.source === 'recipient' && !m.unitId && !m.level)) {
    review.push({ field: 'targetUnits', vi: `Không tìm thấy “${u.mention}” trong danh sách đơn vị thuộc ${ctx.uploader.name}; kiểm tra tên hoặc nhập mã đơn vị.` });
  }
  if (!targetUnits) missing.push({ field: 'targetUnits', vi: `Văn bản không nêu đơn vị nhận chỉ tiêu thuộc ${ctx.uploader.name}; nhập "targetUnits", ví dụ {"scope":"children"} hoặc {"scope":"list","unitIds":["…"]}.` });

  const cadences = doc.reporting?.cadences ?? [];
  if (!cadences.length) missing.push({ field: 'cadences', vi: 'Văn bản không nêu kỳ báo cáo; nhập "cadences", ví dụ ["quarterly","half-year","year"].' });

  let deadline = deadlineRule(ctx.text);
  if (!deadline) {
    deadline = { kind: 'workingDaysAfterCutoff', days: 2 };
    review.push({ field: 'deadline', vi: 'Văn bản không nêu hạn nộp báo cáo; đề xuất 2 ngày làm việc sau ngày chốt số liệu (Nghị định 09/2019/NĐ-CP).' });
  }

  const indicators = proposeIndicators(doc, ctx.text);
  if (!indicators.length) missing.push({ field: 'indicators', vi: 'Văn bản không giao nhóm chỉ tiêu nào; nhập "indicators" (danh sách chỉ tiêu).' });
  for (const ind of indicators) {
    if (!ind.recognised) {
      missing.push({ field: `indicators.${ind.id}`, vi: `Nhóm chỉ tiêu ${ind.group ?? ''} “${ind.name}”: nhập cách đo (measure, kind, direction, aggregation) và mục tiêu (target).` });
    } else if (ind.target === null) {
      missing.push({ field: `indicators.${ind.id}.target`, vi: `Nhập mục tiêu cho “${ind.name}” (${ind.measure}).` });
    }
  }

  return {
    directive: {
      id: proposedDirectiveId(ctx.uploader.id, doc.number, kind, year, draftId),
      number: doc.number,
      kind,
      issuerId: ctx.uploader.id,
      issuerName,
      title,
      year,
      issuedOn: doc.issuedOn,
      targetUnits,
      cadences,
      cutoff: 'decree09',
      deadline,
      ...(doc.reporting?.to ? { reportTo: doc.reporting.to } : {}),
      indicators,
    },
    units,
    missing,
    review,
  };
}
