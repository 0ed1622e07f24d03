export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** Excel keeps at most 32,767 characters in a cell: a longer one cannot be a spreadsheet's, only a runaway quote or a file without the delimiter. */
export const EXCEL_MAX_CELL_CHARS = 32_767;

export interface CsvRow {
  /** Line of the file where the row starts (1-based), for "Dòng N" in messages. */
  line: number;
  cells: string[];
}

export interface CsvSplit {
  /** Rows with at least one non-blank cell. */
  rows: CsvRow[];
  /** Line where a quote opened that never closed (the rest of the file was read as one cell). */
  openQuoteLine?: number;
  cellCount: number;
  /** Stopped past `maxCells`. */
  truncated: boolean;
  /** Stopped at a cell longer than `maxCellChars`: the line where that cell starts, and whether it started with a quote. */
  overlongCell?: { line: number; quoted: boolean };
  /**
   * Units of work done: characters examined plus characters copied into cells. Every character is examined once and
   * copied at most once, so this stays within twice the length of the text; tests hold it to that (linear time).
   */
  work: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** What `String.prototype.trim` removes, for one UTF-16 code unit (no whitespace lies outside the BMP). */
function isBlank(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  return code >= 0x80 && /\s/.test(String.fromCharCode(code));
}

/**
 * Splits CSV text into rows with the line each starts on: quotes, doubled quotes and line breaks inside quotes (LF,
 * CRLF or CR alone). A quote opens a quoted part only at the start of a cell (after blanks); elsewhere it is a plain
 * character. Reports the line of a quote left open instead of throwing, and stops early past `maxCells` cells or at
 * a cell longer than `maxCellChars`.
 *
 * One pass, in linear time whatever the input: the index only moves forward, and a cell's text is cut out of the
 * input in slices between special characters (never re-read or trimmed while it grows). `work` counts it.
 */
export function splitCsv(text: string, delimiter: Delimiter, maxCells: number, maxCellChars = Number.POSITIVE_INFINITY): CsvSplit {
  const sep = delimiter.charCodeAt(0);
  const n = text.length;
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let parts: string[] = [];
  let partsLength = 0;
  let segmentStart = 0;
  let cellStartLine = 1;
  let hasContent = false;
  let rowHasContent = false;
  let quoted = false;
  let cellQuoted = false;
  let quoteLine = 0;
  let line = 1;
  let rowLine = 1;
  let count = 0;
  let work = 0;

  /** Copies text[from, to) into the current cell. */
  const take = (from: number, to: number) => {
    if (to <= from) return;
    parts.push(text.slice(from, to));
    partsLength += to - from;
    work += to - from;
  };
  const endCell = (at: number) => {
    take(segmentStart, at);
    cells.push(parts.length === 1 ? (parts[0] as string) : parts.join(''));
    parts = [];
    partsLength = 0;
    rowHasContent ||= hasContent;
    hasContent = false;
    cellQuoted = false;
    count++;
  };
  const endRow = () => {
    if (rowHasContent) rows.push({ line: rowLine, cells });
    cells = [];
    rowHasContent = false;
  };
  const stop = (extra: Partial<CsvSplit>): CsvSplit => ({ rows, cellCount: count, truncated: false, work, ...extra });

  for (let i = 0; i < n; i++) {
    work++;
    const code = text.charCodeAt(i);
    if (partsLength + (i - segmentStart) > maxCellChars) return stop({ overlongCell: { line: cellStartLine, quoted: cellQuoted } });
    if (quoted) {
      if (code === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) {
          take(segmentStart, i + 1); // keeps one of the two quotes
          i++;
          work++;
          hasContent = true;
        } else {
          take(segmentStart, i);
          quoted = false;
        }
        segmentStart = i + 1;
      } else if (code === LF || (code === CR && text.charCodeAt(i + 1) !== LF)) {
        line++;
      } else if (!hasContent && !isBlank(code)) {
        hasContent = true;
      }
    } else if (code === QUOTE && !hasContent) {
      // Blanks before the opening quote are dropped, as before a number.
      parts = [];
      partsLength = 0;
      quoted = true;
      cellQuoted = true;
      quoteLine = line;
      cellStartLine = line;
      segmentStart = i + 1;
    } else if (code === sep) {
      endCell(i);
      segmentStart = i + 1;
      cellStartLine = line;
      if (count > maxCells) return stop({ truncated: true });
    } else if (code === LF || code === CR) {
      endCell(i);
      endRow();
      if (code === CR && text.charCodeAt(i + 1) === LF) {
        i++;
        work++;
      }
      line++;
      rowLine = line;
      cellStartLine = line;
      segmentStart = i + 1;
      if (count > maxCells) return stop({ truncated: true });
    } else if (!hasContent && !isBlank(code)) {
      hasContent = true;
    }
  }
  endCell(n);
  endRow();
  return stop(quoted ? { openQuoteLine: quoteLine } : {});
}
