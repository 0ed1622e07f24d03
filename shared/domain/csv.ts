export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * Splits CSV text into rows with their line numbers: quotes, doubled quotes and line breaks inside quotes. Stops
 * early past `maxCells`. Reports the line of a quote left open instead of throwing.
 */
export function splitCsv(text: string, delimiter: Delimiter, maxCells: number): { rows: { line: number; cells: string[] }[]; openQuoteLine?: number; cellCount: number; truncated: boolean } {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 0;
  let count = 0;
  const endRow = () => {
    cells.push(cell);
    count += cells.length;
    if (cells.some((c) => c.trim() !== '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      quoteLine = line;
      cell = '';
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
      if (count > maxCells) return { rows, cellCount: count, truncated: true };
    } else cell += ch;
  }
  endRow();
  return { rows, cellCount: count, truncated: false, ...(quoted ? { openQuoteLine: quoteLine } : {}) };
}
