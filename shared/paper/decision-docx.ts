/**
 * The commendation decision (quyết định khen thưởng): the competent level awards the titles the council passed and
 * pays each title's money (multiplier × base salary, Decree 152/2025) from the emulation fund. Laid out by Decree
 * 30/2020/NĐ-CP through ./layout.ts: header, "QUYẾT ĐỊNH" and subject, the authority, the bases, "QUYẾT ĐỊNH:",
 * Điều 1 (who gets which title, as a table), Điều 2 (the money), Điều 3 (effect and who carries it out), recipients
 * and signer.
 */
import { InputError } from '../domain/errors.ts';
import { awardAmount, moneyVi } from '../domain/emulation/money.ts';
import {
  bodyLine,
  blank,
  dataTable,
  decimalVi,
  endWith,
  footerTable,
  headerTable,
  kindAndSubject,
  line,
  packDocument,
  run,
  type Cell,
  type Signer,
} from './layout.ts';

export interface DecisionAward {
  name: string;
  titleVi: string;
  /** Whole đồng. */
  amount: number;
}

export interface DecisionInput {
  /** The line above the issuer in the header: "ỦY BAN NHÂN DÂN" (the first part of the issuer's name) or "". */
  parentBody: string;
  /** "ỦY BAN NHÂN DÂN XÃ HÀM THUẬN". */
  issuerName: string;
  /** "125/QĐ-UBND". */
  number: string;
  place: string;
  /** yyyy-mm-dd. */
  issuedOn: string;
  /** "Về việc tặng danh hiệu thi đua năm 2027". */
  subject: string;
  /** "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ HÀM THUẬN": the line above the bases. */
  authorityTitle: string;
  /** "Căn cứ …", each ending with ";" in the document. */
  bases: string[];
  /** "Xét đề nghị của Hội đồng Thi đua - Khen thưởng xã tại Tờ trình số …", ending with "." in the document. */
  proposal: string;
  awards: DecisionAward[];
  baseSalary: number;
  /** "Quỹ thi đua, khen thưởng của xã". */
  fundVi: string;
  /** Điều 3's executors: "Văn phòng … và các đơn vị có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này". */
  executors: string;
  signer: Signer;
  recipients: string[];
}

/** The awards grouped by title, titles in the order the input first names them (so the table reads title by title). */
function groupedByTitle(awards: readonly DecisionAward[]): [string, DecisionAward[]][] {
  const groups = new Map<string, DecisionAward[]>();
  for (const a of awards) groups.set(a.titleVi, [...(groups.get(a.titleVi) ?? []), a]);
  return [...groups];
}

function checkDecision(d: DecisionInput): void {
  const problems: string[] = [];
  if (d.awards.length === 0) problems.push('Quyết định phải có ít nhất một đơn vị được tặng danh hiệu.');
  d.awards.forEach((a, i) => {
    if (!Number.isInteger(a.amount) || a.amount < 0) problems.push(`Dòng ${i + 1} (${a.name}): số tiền thưởng phải là số đồng nguyên, không âm.`);
  });
  if (problems.length > 0) throw new InputError('Không lập được quyết định khen thưởng.', problems);
}

/** Điều 1's table: STT, unit, title, money; a last row with the count and the total. */
function awardsTable(groups: readonly [string, DecisionAward[]][], total: number) {
  const ordered = groups.flatMap(([, awards]) => awards);
  const rows: Cell[][] = ordered.map((a, i) => [String(i + 1), a.name, a.titleVi, moneyVi(a.amount)]);
  rows.push([{ text: `Tổng cộng: ${ordered.length} đơn vị, ${moneyVi(total)}`, bold: true, span: 4, align: 'center' }]);
  return dataTable(
    [
      { header: 'STT', share: 0.08, align: 'center' },
      { header: 'Tên đơn vị', share: 0.36 },
      { header: 'Danh hiệu', share: 0.34 },
      { header: 'Số tiền thưởng', share: 0.22, align: 'center' },
    ],
    rows,
  );
}

/**
 * "Tập thể lao động tiên tiến: 0,8 × 2.340.000 đồng = 1.872.000 đồng/đơn vị": the multiplier is read back from the
 * amount; an amount that is no multiple of the base salary in hundredths is stated on its own.
 */
function moneyLine(titleVi: string, amount: number, baseSalary: number): string {
  const multiplier = baseSalary > 0 ? Math.round((amount * 100) / baseSalary) / 100 : 0;
  const exact = baseSalary > 0 && awardAmount(multiplier, baseSalary) === amount;
  return exact
    ? `${titleVi}: ${decimalVi(multiplier, 2)} × ${moneyVi(baseSalary)} = ${moneyVi(amount)}/đơn vị`
    : `${titleVi}: ${moneyVi(amount)}/đơn vị`;
}

/** Each distinct (title, amount) once, in the table's order. */
function moneyLines(groups: readonly [string, DecisionAward[]][], baseSalary: number): string[] {
  const lines = groups.flatMap(([title, awards]) => [...new Set(awards.map((a) => a.amount))].map((amount) => moneyLine(title, amount, baseSalary)));
  return [...new Set(lines)];
}

const article = (label: string, text: string) => bodyLine([run(`${label} `, { bold: true }), run(text)]);

/** The decision as the bytes of a .docx. */
export async function decisionDocx(d: DecisionInput): Promise<Uint8Array> {
  checkDecision(d);
  const groups = groupedByTitle(d.awards);
  const total = d.awards.reduce((sum, a) => sum + a.amount, 0);
  const money = moneyLines(groups, d.baseSalary);

  return packDocument(`Quyết định ${d.number}`, [
    headerTable({ parentBody: d.parentBody, issuerName: d.issuerName, number: d.number, place: d.place, date: d.issuedOn }),
    ...kindAndSubject('QUYẾT ĐỊNH', d.subject.trim()),
    line(d.authorityTitle.trim(), { bold: true, align: 'center', after: 12 }),
    ...d.bases.map((b) => bodyLine(endWith(b, ';'), { italic: true })),
    bodyLine(endWith(d.proposal, '.'), { italic: true }),
    line('QUYẾT ĐỊNH:', { bold: true, align: 'center', before: 6, after: 12 }),

    article('Điều 1.', `Tặng danh hiệu thi đua cho ${d.awards.length} đơn vị có tên sau đây:`),
    awardsTable(groups, total),
    blank(6),

    article('Điều 2.', `Tiền thưởng kèm theo danh hiệu bằng hệ số nhân với mức lương cơ sở ${moneyVi(d.baseSalary)}:`),
    ...money.map((m, i) => bodyLine(`- ${m}${i === money.length - 1 ? '.' : ';'}`)),
    bodyLine(`Tổng số tiền thưởng ${moneyVi(total)}, chi từ ${endWith(d.fundVi, '.')}`),

    article('Điều 3.', `Quyết định này có hiệu lực kể từ ngày ký. ${endWith(d.executors, './.')}`),
    blank(),
    footerTable(d.recipients, d.signer),
  ]);
}
