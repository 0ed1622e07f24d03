/**
 * The building blocks of an administrative document as Decree 30/2020/NĐ-CP lays it out (Appendix I): A4 page and
 * margins, Times New Roman, the two-column header without borders (issuing body and number on the left, national
 * motto and place-date on the right), the kind and subject centred, the body, and the footer with "Nơi nhận:" on the
 * left and the signer on the right. Every document of the commendation cycle is made of these, so they look alike.
 *
 * Pure: data in, docx objects (and finally bytes) out. Text goes into the docx objects as it is; the docx package
 * escapes it for XML, so nothing here escapes by hand.
 */
import { isIsoDate } from '../domain/calendar/index.ts';
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  convertMillimetersToTwip,
} from 'docx';
import { InputError } from '../domain/errors.ts';

export const FONT = 'Times New Roman';

/** Font sizes in points (Decree 30, Appendix I): header lines 13, body 14, recipients' label 12 and list 11. */
const PT = { header: 13, body: 14, table: 13, recipientsLabel: 12, recipients: 11 } as const;
const halfPoints = (pt: number): number => pt * 2;

/** A4 portrait; margins within Decree 30's ranges (top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm). */
const PAGE = { widthMm: 210, heightMm: 297, topMm: 20, bottomMm: 20, leftMm: 30, rightMm: 15 } as const;
export const A4_TWIPS = { width: 11906, height: 16838 } as const;

/** The width text may use between the margins, in twips: what the tables are laid out on. */
export const TEXT_WIDTH = convertMillimetersToTwip(PAGE.widthMm - PAGE.leftMm - PAGE.rightMm);

/** A run of text in the document's font; `size` in points. */
export interface RunStyle {
  bold?: boolean;
  italic?: boolean;
  size?: number;
}

export const run = (text: string, style: RunStyle = {}): TextRun =>
  new TextRun({ text, font: FONT, bold: style.bold ?? false, italics: style.italic ?? false, size: halfPoints(style.size ?? PT.body) });

type Align = 'center' | 'left' | 'justify';
const ALIGN = { center: AlignmentType.CENTER, left: AlignmentType.LEFT, justify: AlignmentType.JUSTIFIED } as const;

export interface LineOptions extends RunStyle {
  align?: Align;
  /** First-line indent of a body paragraph (Decree 30: 1–1.27 cm). */
  indent?: boolean;
  /** Space after the paragraph, in points. */
  after?: number;
  before?: number;
}

/** One paragraph of runs; a plain string is one run with the paragraph's style. */
export function line(content: string | TextRun[], options: LineOptions = {}): Paragraph {
  const children = typeof content === 'string' ? [run(content, options)] : content;
  return new Paragraph({
    children,
    alignment: ALIGN[options.align ?? 'left'],
    indent: options.indent ? { firstLine: convertMillimetersToTwip(12.7) } : undefined,
    spacing: { before: (options.before ?? 0) * 20, after: (options.after ?? 0) * 20 },
  });
}

/** A body paragraph: justified, first line indented, 6 pt after (Decree 30's paragraph spacing). */
export const bodyLine = (content: string | TextRun[], style: RunStyle = {}): Paragraph =>
  line(content, { ...style, align: 'justify', indent: true, after: 6 });

/** An empty paragraph: the space the signer signs in, or between blocks. */
export const blank = (size: number = PT.body): Paragraph => line('', { size });

/**
 * The short solid rule under the issuing body, under the motto and under the subject: a paragraph's bottom border,
 * kept short by indenting the paragraph from both sides of its column.
 */
export function rule(widthTwips: number, columnTwips: number): Paragraph {
  const side = Math.max(0, Math.round((columnTwips - widthTwips) / 2));
  return new Paragraph({
    children: [],
    indent: { left: side, right: side },
    spacing: { before: 0, after: 120 },
    border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
  });
}

/** "ngày 15 tháng 12 năm 2027": day below 10 and months 1–2 with a leading zero, as Decree 30 writes them. */
export function dateVi(isoDate: string): string {
  if (!isIsoDate(isoDate)) throw new InputError('Ngày của văn bản không hợp lệ.', [`"${isoDate}" không phải một ngày có thật dạng năm-tháng-ngày (ví dụ 2027-12-15).`]);
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `ngày ${two(day)} tháng ${month <= 2 ? two(month) : String(month)} năm ${year}`;
}

/** "Bình Thuận, ngày 15 tháng 12 năm 2027". */
export const placeDateVi = (place: string, isoDate: string): string => `${place}, ${dateVi(isoDate)}`;

/** A table of two columns without borders: the header, and the footer's recipients beside the signer. */
function twoColumns(left: Paragraph[], right: Paragraph[], leftShare: number): Table {
  const leftWidth = Math.round(TEXT_WIDTH * leftShare);
  const widths = [leftWidth, TEXT_WIDTH - leftWidth];
  const cell = (children: Paragraph[], width: number) =>
    new TableCell({ children, width: { size: width, type: WidthType.DXA }, verticalAlign: VerticalAlignTable.TOP, margins: { left: 0, right: 0 } });
  return new Table({
    rows: [new TableRow({ children: [cell(left, widths[0]!), cell(right, widths[1]!)] })],
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
  });
}

export interface HeaderInput {
  /**
   * The line above the issuing body: its direct superior ("ỦY BAN NHÂN DÂN XÃ HÀM THUẬN" above its council), or
   * the first part of the issuing body's own name ("ỦY BAN NHÂN DÂN" of "ỦY BAN NHÂN DÂN XÃ HÀM THUẬN"); "" for none.
   */
  parentBody: string;
  issuerName: string;
  /** "125/QĐ-UBND"; none for a document without a number of its own (a council's minutes). */
  number?: string;
  place: string;
  /** yyyy-mm-dd. */
  date: string;
}

/** How the left column names the issuer: each line and whether it is bold. */
function issuerLines(parentBody: string, issuerName: string): { text: string; bold: boolean }[] {
  const parent = parentBody.trim();
  const issuer = issuerName.trim();
  if (!parent) return [{ text: issuer, bold: true }];
  // "ỦY BAN NHÂN DÂN" + "ỦY BAN NHÂN DÂN XÃ HÀM THUẬN" is one body's name broken over two lines, both bold;
  // a different parent is the superior body, written above in regular capitals.
  if (issuer.startsWith(`${parent} `)) return [{ text: parent, bold: true }, { text: issuer.slice(parent.length + 1), bold: true }];
  return [{ text: parent, bold: false }, { text: issuer, bold: true }];
}

const LEFT_SHARE = 0.4;
const MOTTO = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
const MOTTO_LINE_2 = 'Độc lập - Tự do - Hạnh phúc';

/** The header: issuing body, rule and number on the left; national motto, rule and place-date on the right. */
export function headerTable(h: HeaderInput): Table {
  const leftWidth = Math.round(TEXT_WIDTH * LEFT_SHARE);
  const rightWidth = TEXT_WIDTH - leftWidth;
  const center = (text: string, style: RunStyle) => line(text, { ...style, align: 'center', size: style.size ?? PT.header });
  const left = [
    ...issuerLines(h.parentBody, h.issuerName).map((l) => center(l.text, { bold: l.bold })),
    rule(convertMillimetersToTwip(20), leftWidth),
    ...(h.number ? [center(`Số: ${h.number}`, {})] : []),
  ];
  const right = [
    center(MOTTO, { bold: true }),
    center(MOTTO_LINE_2, { bold: true, size: PT.body }),
    rule(convertMillimetersToTwip(55), rightWidth),
    center(placeDateVi(h.place, h.date), { italic: true, size: PT.body }),
  ];
  return twoColumns(left, right, LEFT_SHARE);
}

/** The kind ("QUYẾT ĐỊNH", "BIÊN BẢN") and the subject under it, centred and bold, with a short rule below. */
export function kindAndSubject(kind: string, subject: string): Paragraph[] {
  return [
    line(kind, { bold: true, align: 'center', before: 18 }),
    line(subject, { bold: true, align: 'center' }),
    rule(convertMillimetersToTwip(30), TEXT_WIDTH),
  ];
}

export interface Signer {
  /** "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"; "" when the signer signs in their own name. */
  authority: string;
  /** "CHỦ TỊCH", "THƯ KÝ". */
  title: string;
  name: string;
}

/** The signer: authority and title in bold capitals, room to sign and seal, the name in bold. */
export function signerBlock(s: Signer): Paragraph[] {
  const center = (text: string, style: RunStyle = {}) => line(text, { ...style, align: 'center' });
  return [
    ...(s.authority.trim() ? [center(s.authority.trim(), { bold: true })] : []),
    center(s.title.trim(), { bold: true }),
    blank(),
    blank(),
    blank(),
    center(s.name.trim(), { bold: true }),
  ];
}

/** "Nơi nhận:" in bold italic, then "- X;" each, the last ending with ".". */
export function recipientsBlock(recipients: readonly string[]): Paragraph[] {
  const items = recipients.map((r) => r.trim().replace(/^-\s*/, '').replace(/[;.,]+$/, '')).filter((r) => r.length > 0);
  return [
    line('Nơi nhận:', { bold: true, italic: true, size: PT.recipientsLabel }),
    ...items.map((r, i) => line(`- ${r}${i === items.length - 1 ? '.' : ';'}`, { size: PT.recipients })),
  ];
}

/** The footer: recipients on the left, the signer on the right. */
export const footerTable = (recipients: readonly string[], signer: Signer): Table => twoColumns(recipientsBlock(recipients), signerBlock(signer), 0.5);

/** Two signers side by side (the minutes' secretary and chair). */
export const twoSigners = (left: Signer, right: Signer): Table => twoColumns(signerBlock(left), signerBlock(right), 0.5);

export interface Column {
  header: string;
  /** Share of the text width. */
  share: number;
  align?: Align;
}

/** One cell of a data table: text, or text with its own style and span. */
export type Cell = string | { text: string; bold?: boolean; span?: number; align?: Align };

/** A bordered table with a bold header row that repeats on every page. */
export function dataTable(columns: readonly Column[], rows: readonly Cell[][]): Table {
  const widths = columns.map((c) => Math.round(TEXT_WIDTH * c.share));
  const cell = (content: Cell, columnIndex: number, header: boolean): TableCell => {
    const c = typeof content === 'string' ? { text: content } : content;
    const span = c.span ?? 1;
    const width = widths.slice(columnIndex, columnIndex + span).reduce((a, b) => a + b, 0);
    const align = header ? 'center' : (c.align ?? columns[columnIndex]?.align ?? 'left');
    return new TableCell({
      children: [line(c.text, { bold: header || c.bold, size: PT.table, align })],
      width: { size: width, type: WidthType.DXA },
      columnSpan: span > 1 ? span : undefined,
      verticalAlign: VerticalAlignTable.CENTER,
      margins: { left: 80, right: 80, top: 40, bottom: 40 },
    });
  };
  const tableRow = (cells: readonly Cell[], header: boolean): TableRow => {
    let column = 0;
    const children = cells.map((c) => {
      const made = cell(c, column, header);
      column += typeof c === 'string' ? 1 : (c.span ?? 1);
      return made;
    });
    return new TableRow({ children, tableHeader: header, cantSplit: true });
  };
  return new Table({
    rows: [tableRow(columns.map((c) => c.header), true), ...rows.map((r) => tableRow(r, false))],
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
  });
}

/** The whole document on A4 in Times New Roman, packed to the bytes of a .docx. */
export async function packDocument(title: string, children: (Paragraph | Table)[]): Promise<Uint8Array> {
  const doc = new Document({
    title,
    creator: 'thidua',
    styles: { default: { document: { run: { font: FONT, size: halfPoints(PT.body) } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: A4_TWIPS.width, height: A4_TWIPS.height },
            margin: {
              top: convertMillimetersToTwip(PAGE.topMm),
              bottom: convertMillimetersToTwip(PAGE.bottomMm),
              left: convertMillimetersToTwip(PAGE.leftMm),
              right: convertMillimetersToTwip(PAGE.rightMm),
            },
          },
        },
        children,
      },
    ],
  });
  return new Uint8Array(await Packer.toArrayBuffer(doc));
}

/** "Về việc …" inside a sentence: "… số 05/KH-UBND về việc …". */
export const inSentence = (subject: string): string => subject.trim().replace(/^Về(?=\s)/u, 'về');

/** A Vietnamese decimal, up to `digits` decimals: 0,8; 71,4; 100. */
export const decimalVi = (value: number, digits: number): string =>
  new Intl.NumberFormat('vi-VN', { maximumFractionDigits: digits, useGrouping: true }).format(value);

/** The text ends with exactly `mark` (the bases' ";", a body's closing "./."). */
export const endWith = (text: string, mark: string): string => `${text.trim().replace(/[\s;,.:/]+$/u, '')}${mark}`;
