/**
 * The council's minutes (biên bản họp bình xét): the record a commendation dossier must carry (Law 2022 Art. 84 —
 * proposal, achievement report, review minutes, ballot result). It states when and where the council met, whether
 * enough members were present, each candidate's secret-ballot count against its title's threshold, and who passed,
 * signed by the secretary and the chair. Laid out by Decree 30/2020/NĐ-CP through ./layout.ts.
 */
import { InputError } from '../domain/errors.ts';
import {
  bodyLine,
  blank,
  dataTable,
  dateVi,
  decimalVi,
  endWith,
  headerTable,
  inSentence,
  kindAndSubject,
  line,
  packDocument,
  run,
  twoSigners,
  type Cell,
} from './layout.ts';

export interface MinutesRow {
  /** The unit's name as people know it ("Thôn Lâm Hòa"). */
  name: string;
  titleVi: string;
  yes: number;
  present: number;
  /** "trên 50% số thành viên có mặt". */
  thresholdVi: string;
  passed: boolean;
}

export interface MinutesInput {
  /** "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG XÃ HÀM THUẬN". */
  councilName: string;
  /** The body the council belongs to, written above it in the header ("ỦY BAN NHÂN DÂN XÃ HÀM THUẬN"). */
  parentBody: string;
  /** The place of the header's date line ("Hàm Thuận"). */
  place: string;
  /** Where the council met ("Hội trường Ủy ban nhân dân xã"); the place when not given. */
  venue?: string;
  /** yyyy-mm-dd. */
  heldOn: string;
  /** "14 giờ 00". */
  heldAt?: string;
  /** When the session ended ("16 giờ 30"); left as dots to fill by hand when not given. */
  endedAt?: string;
  /** The directive whose year is reviewed: { kind: "Kế hoạch", number: "05/KH-UBND", subject: "Về việc …" }. */
  directive: { kind: string; number: string; subject: string };
  year: number;
  members: number;
  present: number;
  /** "Số thành viên có mặt đạt từ hai phần ba tổng số thành viên trở lên, đủ điều kiện tiến hành họp". */
  quorumVi: string;
  chairName: string;
  secretaryName: string;
  rows: MinutesRow[];
}

const HEADINGS = { time: 'I. THỜI GIAN, ĐỊA ĐIỂM', members: 'II. THÀNH PHẦN', content: 'III. NỘI DUNG', conclusion: 'IV. KẾT LUẬN' } as const;

/** Each title in the order the rows first name it, with the rows for it. */
function byTitle<T extends { titleVi: string }>(rows: readonly T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const r of rows) groups.set(r.titleVi, [...(groups.get(r.titleVi) ?? []), r]);
  return [...groups];
}

/** "71,4": the share of yes among those present, one decimal at most. */
const percentVi = (yes: number, present: number): string => (present > 0 ? decimalVi((yes * 100) / present, 1) : '0');

function checkMinutes(m: MinutesInput): void {
  const problems: string[] = [];
  if (m.present > m.members) problems.push(`Số thành viên có mặt (${m.present}) lớn hơn tổng số thành viên (${m.members}).`);
  m.rows.forEach((r, i) => {
    if (r.yes > r.present) problems.push(`Dòng ${i + 1} (${r.name}): số phiếu đồng ý (${r.yes}) lớn hơn số người bỏ phiếu (${r.present}).`);
  });
  if (problems.length > 0) throw new InputError('Số liệu của biên bản không khớp nhau.', problems);
}

function ballotTable(rows: readonly MinutesRow[]) {
  const cells: Cell[][] = rows.map((r, i) => [
    String(i + 1),
    r.name,
    r.titleVi,
    `${r.yes}/${r.present}`,
    percentVi(r.yes, r.present),
    r.passed ? 'Đạt' : 'Không đạt',
  ]);
  return dataTable(
    [
      { header: 'STT', share: 0.07, align: 'center' },
      { header: 'Đơn vị', share: 0.27 },
      { header: 'Danh hiệu đề nghị', share: 0.26 },
      { header: 'Số phiếu đồng ý', share: 0.14, align: 'center' },
      { header: 'Tỷ lệ (%)', share: 0.12, align: 'center' },
      { header: 'Kết quả', share: 0.14, align: 'center' },
    ],
    cells,
  );
}

/** "- Tập thể lao động tiên tiến (2 đơn vị): Thôn Lâm Hòa, Thôn Phú Lập;" for each title someone passed. */
function conclusionLines(rows: readonly MinutesRow[], year: number) {
  const passed = byTitle(rows.filter((r) => r.passed));
  if (passed.length === 0) return [bodyLine('Không có đơn vị nào đạt số phiếu theo quy định để đề nghị tặng danh hiệu thi đua.')];
  return [
    bodyLine(`Hội đồng thống nhất đề nghị cấp có thẩm quyền tặng danh hiệu thi đua năm ${year} cho các đơn vị sau:`),
    ...passed.map(([title, units], i) =>
      bodyLine(`- ${title} (${units.length} đơn vị): ${units.map((u) => u.name).join(', ')}${i === passed.length - 1 ? '.' : ';'}`),
    ),
  ];
}

/** The minutes as the bytes of a .docx. */
export async function minutesDocx(m: MinutesInput): Promise<Uint8Array> {
  checkMinutes(m);
  const heading = (text: string) => line(text, { bold: true, align: 'left', before: 6, after: 6 });
  const labelled = (label: string, text: string) => bodyLine([run(`${label}: `, { bold: true }), run(text)]);
  const thresholds = byTitle(m.rows).map(([title, rows]) => `${title}: ${rows[0]!.thresholdVi}`);
  const subject = `Họp Hội đồng Thi đua - Khen thưởng bình xét danh hiệu thi đua năm ${m.year}`;
  const when = m.heldAt ? `${m.heldAt}, ${dateVi(m.heldOn)}` : dateVi(m.heldOn);

  return packDocument(`Biên bản ${subject.charAt(0).toLowerCase()}${subject.slice(1)}`, [
    headerTable({ parentBody: m.parentBody, issuerName: m.councilName, place: m.place, date: m.heldOn }),
    ...kindAndSubject('BIÊN BẢN', subject),

    heading(HEADINGS.time),
    labelled('Thời gian', `${when}.`),
    labelled('Địa điểm', endWith(m.venue ?? m.place, '.')),

    heading(HEADINGS.members),
    bodyLine(`Tổng số thành viên Hội đồng: ${m.members} người; có mặt: ${m.present} người; vắng mặt: ${m.members - m.present} người.`),
    bodyLine(endWith(m.quorumVi, '.')),
    labelled('Chủ trì', endWith(m.chairName, '.')),
    labelled('Thư ký', endWith(m.secretaryName, '.')),

    heading(HEADINGS.content),
    bodyLine(
      `Hội đồng bình xét danh hiệu thi đua năm ${m.year} theo ${m.directive.kind} số ${m.directive.number} ${endWith(inSentence(m.directive.subject), ',')} bằng hình thức bỏ phiếu kín.`,
    ),
    ...(thresholds.length > 0
      ? [bodyLine('Mức phiếu đồng ý để đạt của từng danh hiệu:'), ...thresholds.map((t, i) => bodyLine(`- ${t}${i === thresholds.length - 1 ? '.' : ';'}`))]
      : []),
    bodyLine(m.rows.length > 0 ? 'Kết quả kiểm phiếu như sau:' : 'Không có đơn vị nào được đề nghị bình xét.'),
    ...(m.rows.length > 0 ? [ballotTable(m.rows), blank(6)] : []),

    heading(HEADINGS.conclusion),
    ...conclusionLines(m.rows, m.year),
    bodyLine(
      `Cuộc họp kết thúc vào lúc ${m.endedAt ?? '..... giờ .....'} cùng ngày. Biên bản đã được đọc lại trước Hội đồng và được các thành viên có mặt nhất trí thông qua./.`,
    ),
    blank(),
    twoSigners({ authority: '', title: 'THƯ KÝ', name: m.secretaryName }, { authority: '', title: 'CHỦ TRÌ', name: m.chairName }),
  ]);
}
