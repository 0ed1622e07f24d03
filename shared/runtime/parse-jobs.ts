/**
 * The parse jobs a sandbox worker can run, by name. Each takes and returns plain data (structured-cloned across the
 * thread boundary). The parsers are imported when a job runs, so a report worker never loads the PDF reader.
 */
import type { ReadResult } from '../domain/document/read.ts';
import type { ExpectedReport, ParseOutcome, ReportFile, ReportLimits } from '../domain/report/types.ts';
import type { TargetsIndicator, TargetsReadResult } from '../domain/targets-workbook.ts';
import type { Indicator } from '../domain/directive.ts';
import type { RawSplit, SplitVillage } from '../domain/targets-split.ts';
import type { HistoryEntry, Title } from '../domain/emulation/types.ts';

/** A commune's split as read, or why the file cannot be read (an InputError does not cross the thread boundary). */
export type SplitReadResult = { ok: true; raw: RawSplit } | { ok: false; messageVi: string; details: string[] };

export interface ParseJobs {
  'parse-report': { input: { file: ReportFile; expected: ExpectedReport; limits?: Partial<ReportLimits> }; output: ParseOutcome };
  'read-document': { input: { bytes: Uint8Array; fileName?: string; maxBytes?: number }; output: ReadResult };
  'read-targets': { input: { bytes: Uint8Array; indicators: TargetsIndicator[]; units: { id: string; name: string }[] }; output: TargetsReadResult };
  'read-split': { input: { bytes: Uint8Array; indicators: Indicator[]; villages: SplitVillage[] }; output: SplitReadResult };
  'read-history': { input: { bytes: Uint8Array; titles: Title[]; units: { id: string; name: string }[] }; output: HistoryReadResult };
}

/** Past years' titles as read from an office's workbook, with every problem by row. */
export type HistoryReadResult = { entries: HistoryEntry[]; problems: { row: number; messageVi: string }[] };
export type ParseJobName = keyof ParseJobs;

type Runner<N extends ParseJobName> = (input: ParseJobs[N]['input']) => Promise<ParseJobs[N]['output']>;

/** Loads a job's parser (the module import is start-up work, outside the job's deadline) and returns its runner. */
export async function loadJob<N extends ParseJobName>(name: N): Promise<Runner<N>> {
  const loaders: { [K in ParseJobName]: () => Promise<Runner<K>> } = {
    'parse-report': async () => {
      const { parseReport } = await import('../domain/report/parse.ts');
      return ({ file, expected, limits }) => parseReport(file, expected, limits);
    },
    'read-document': async () => {
      const { readDocumentFile } = await import('../domain/document/read.ts');
      return ({ bytes, fileName, maxBytes }) => readDocumentFile(bytes, { ...(fileName !== undefined ? { fileName } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}) });
    },
    'read-targets': async () => {
      const { readTargetsWorkbook } = await import('../domain/targets-workbook.ts');
      return ({ bytes, indicators, units }) => readTargetsWorkbook(bytes, { indicators, units });
    },
    'read-split': async () => {
      const { readSplitWorkbook } = await import('../domain/village-targets-workbook.ts');
      const { InputError } = await import('../domain/errors.ts');
      return async ({ bytes, indicators, villages }) => {
        try {
          return { ok: true, raw: await readSplitWorkbook(bytes, indicators, villages) };
        } catch (e) {
          if (e instanceof InputError) return { ok: false, messageVi: e.messageVi, details: e.details };
          throw e;
        }
      };
    },
    'read-history': async () => {
      const { readHistoryWorkbook } = await import('../domain/emulation/history.ts');
      return ({ bytes, titles, units }) => readHistoryWorkbook(bytes, titles, new Map(units.map((u) => [u.id, u])));
    },
  };
  const load = loaders[name] as (() => Promise<Runner<N>>) | undefined;
  if (!load) throw new Error(`Unknown parse job: ${String(name)}`);
  return load();
}
