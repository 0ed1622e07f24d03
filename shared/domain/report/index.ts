export { buildReportTemplate, columnLetter, headerText, TEMPLATE_LAYOUT } from './template.ts';
export { parseReport, capProblems } from './parse.ts';
export { parseNumberVi, parseYesNo } from './values.ts';
export { normalizeName, rowMatcher } from './rows.ts';
export { ReportJson } from './json.ts';
export {
  DEFAULT_REPORT_LIMITS,
  META_SHEET,
  REPORT_SHEET,
  TEMPLATE_VERSION,
  type ExpectedReport,
  type ParsedReportRow,
  type ParseOutcome,
  type ReportFile,
  type ReportFormat,
  type ReportLimits,
  type ReportProblem,
  type ReportProblemCode,
  type ReportTemplateInput,
  type ReportValue,
} from './types.ts';
