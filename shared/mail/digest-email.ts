import { formatDateVi, periodById, vietnamDate } from '../domain/calendar/index.ts';
import { capitalize, letterHtml, letterText, MAIL_COLORS, numberedSections, para } from './look.ts';
import type { Directive, Indicator } from '../domain/directive.ts';
import { achievementRatio, isFourNo } from '../domain/results/rubric.ts';
import type { FourNoBreach, IndicatorValue, PeriodResults, UnitResult } from '../domain/results/types.ts';
import { LEVEL_NAME_VI } from '../domain/units.ts';
import type { RenderedMail } from './assignment-email.ts';
import { esc, layout, table, textTable } from './html.ts';

/**
 * The leader's digest: one period of one directive as the leader of one unit reads it — how many of the units below
 * reported, how its direct children rank, each indicator against its target at the leader's level, who did not
 * report, which villages broke a "4 không" criterion, and what changed since the previous period.
 *
 * Only the leader's part of the hierarchy is shown: the leader's unit, its direct children (`childIds`, each checked
 * to be one) and the units below them. Nothing about siblings, the parent or other branches (the result notes, which
 * may name any unit of the issuer's subtree, are left out).
 */
export interface DigestArgs {
  directive: Directive;
  /** "Quý I/2027". */
  periodLabel: string;
  results: PeriodResults;
  /** The unit the leader leads (the name is shown as the unit's name). */
  leader: { unitId: string; name: string };
  /** The unit's direct children to rank, from `results`. */
  childIds: string[];
  /** Reports under the unit awaiting the level above's approval (directives with approval); absent: none. */
  awaitingApproval?: number;
}

/** How a unit's reporting stands, in words, with a tone for colour. */
export type Tone = 'good' | 'warn' | 'bad' | 'muted';

export interface DigestChild {
  unit: UnitResult;
  /** "Đúng hạn", "Nộp muộn", "Chưa nộp", "Chưa đến hạn", "Không giao", or "2/3 đã nộp" above reporting units. */
  status: string;
  /** "nộp 06/07/2027", "quá hạn 8 ngày", "1 đúng hạn"… */
  statusDetail: string;
  tone: Tone;
  /** Indicators met, and how many have a target (null when none has a verdict: nothing reported). */
  met: number | null;
  withTarget: number;
  /** Every indicator of the directive met. */
  metAll: boolean;
  /** "4 không" breaches in the villages below it. */
  breaches: number;
}

export interface DigestBreach {
  breach: FourNoBreach;
  village: UnitResult;
  indicator: Indicator | undefined;
  /** Names between the leader's unit and the village ("Xã 1", or "Huyện A › Xã 1"). */
  via: string;
}

/** Everything the email and the workbook show, computed once from the results. */
export interface DigestModel {
  args: DigestArgs;
  unit: UnitResult;
  /** Children in ranking order (rank, then name); unranked last. */
  children: DigestChild[];
  /** "xã" when every child is a commune, else "đơn vị". */
  childNoun: string;
  /** The level of the reporting units below ("xã"), else "đơn vị". */
  reportingNoun: string;
  metAll: number;
  /** Some child has a score (reporting units and above); villages have none and are not ranked. */
  ranked: boolean;
  /** Some child has targets; villages have none, and then the unit's own indicators met are shown instead. */
  targeted: boolean;
  /** The leader's unit's own indicators met, of those with a target. */
  ownMet: number;
  ownWithTarget: number;
  /** Indicators scored and shown as bars (outside "4 không"), and the "4 không" ones, in directive order. */
  indicators: Indicator[];
  fourNo: Indicator[];
  /** Reporting units below the leader that have not submitted (overdue, then pending), in hierarchy order. */
  notReported: { unit: UnitResult; via: string; daysLate: number | null }[];
  breaches: DigestBreach[];
  /** The due date shared by the reporting units below, or null when they differ. */
  dueDate: string | null;
  /** "15/07/2027 08:00" (Vietnam time) of the computation. */
  asOf: string;
  /** "Quý I/2027" of the previous period, or "kỳ trước" when its label cannot be worked out; null without one. */
  previousLabel: string | null;
  docName: string;
}

const numberVi = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
const rateVi = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

export function num(n: number): string {
  return numberVi.format(n);
}

/** A 0…1 rate as "66,7%". */
export function rate(x: number | null): string {
  return x === null ? '—' : `${rateVi.format(x * 100)}%`;
}

/** "+9", "−26", "0" (a real minus sign). */
export function signed(n: number): string {
  return n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : '0';
}

function withMeasure(ind: Pick<Indicator, 'kind' | 'measure'>, n: number): string {
  const m = ind.measure.trim();
  if (ind.kind === 'percent') return m.startsWith('%') ? `${num(n)}${m}` : `${num(n)}%`;
  return `${num(n)} ${m}`;
}

/** An actual as shown: "10 người", "85%", "Có", "—". */
export function actualVi(ind: Pick<Indicator, 'kind' | 'measure'>, v: IndicatorValue): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  return withMeasure(ind, v);
}

/** A target as shown: "15 người", "không quá 4%", "Có". */
export function targetVi(ind: Pick<Indicator, 'kind' | 'measure' | 'direction'>, v: IndicatorValue): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  return ind.direction === 'decrease' ? `không quá ${withMeasure(ind, v)}` : withMeasure(ind, v);
}

function dateTimeVi(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const hhmm = new Date(t + 7 * 3600_000).toISOString().slice(11, 16);
  return `${hhmm} ngày ${formatDateVi(vietnamDate(iso))}`;
}

function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000);
}

function nounOf(units: readonly UnitResult[]): string {
  const levels = new Set(units.map((u) => u.level));
  const [only] = levels;
  return levels.size === 1 && only ? LEVEL_NAME_VI[only] : 'đơn vị';
}

const cap = capitalize;

function childStatus(u: UnitResult, asOfDate: string): Pick<DigestChild, 'status' | 'statusDetail' | 'tone'> {
  const r = u.reporting;
  if (r) {
    const submitted = r.submittedAt ? `nộp ${formatDateVi(vietnamDate(r.submittedAt))}` : '';
    switch (r.status) {
      case 'on-time':
        return { status: 'Đúng hạn', statusDetail: submitted, tone: 'good' };
      case 'late': {
        const late = r.submittedAt ? daysBetween(r.dueDate, vietnamDate(r.submittedAt)) : 0;
        return { status: 'Nộp muộn', statusDetail: late > 0 ? `${submitted}, muộn ${late} ngày` : submitted, tone: 'warn' };
      }
      case 'overdue': {
        const late = daysBetween(r.dueDate, asOfDate);
        return { status: 'Chưa nộp', statusDetail: late > 0 ? `quá hạn ${late} ngày` : `hạn ${formatDateVi(r.dueDate)}`, tone: 'bad' };
      }
      case 'pending':
        return { status: 'Chưa đến hạn', statusDetail: `hạn ${formatDateVi(r.dueDate)}`, tone: 'muted' };
      case 'cancelled':
        return { status: 'Không giao', statusDetail: '', tone: 'muted' };
    }
  }
  const { expected, received, onTime } = u.rates;
  if (!expected) return { status: '—', statusDetail: '', tone: 'muted' };
  const tone: Tone = onTime === expected ? 'good' : u.rates.flagged ? 'bad' : 'warn';
  return { status: `${received}/${expected} đã nộp`, statusDetail: `${onTime} đúng hạn`, tone };
}

/** The digest's figures for the leader's unit. Throws when a child is not a direct child of it in `results`. */
export function digestModel(args: DigestArgs): DigestModel {
  const { directive, results, leader } = args;
  const unit = results.units[leader.unitId];
  if (!unit) throw new Error(`digest: unit "${leader.unitId}" is not in the results of ${results.directiveId} ${results.periodId}`);
  const inBranch = (u: UnitResult) => u.unitId !== unit.unitId && u.path.includes(unit.unitId);
  const asOfDate = vietnamDate(results.computedAt);

  const childUnits = [...new Set(args.childIds)].map((id) => {
    const c = results.units[id];
    if (!c || c.parentId !== unit.unitId) throw new Error(`digest: "${id}" is not a direct child of "${unit.unitId}" in the results`);
    return c;
  });
  const all = directive.indicators.filter((ind) => ind.id in unit.indicators);
  const fourNoIds = new Set(results.fourNoIndicatorIds);
  const isFour = (ind: Indicator) => fourNoIds.has(ind.id) || isFourNo(ind);

  const children: DigestChild[] = childUnits
    .map((u) => {
      const verdicts = all.map((ind) => u.indicators[ind.id]).filter((r) => r !== undefined && r.target !== null);
      const judged = verdicts.filter((r) => r!.met !== null);
      return {
        unit: u,
        ...childStatus(u, asOfDate),
        met: judged.length ? judged.filter((r) => r!.met === true).length : null,
        withTarget: verdicts.length,
        metAll: all.length > 0 && all.every((ind) => u.indicators[ind.id]?.met === true),
        breaches: u.fourNo.length,
      };
    })
    .sort((a, b) => (a.unit.rank ?? Infinity) - (b.unit.rank ?? Infinity) || a.unit.name.localeCompare(b.unit.name, 'vi'));

  const branch = Object.values(results.units).filter(inBranch);
  const nameOf = (id: string) => results.units[id]?.name ?? id;
  /** Names strictly between the leader's unit and `u`. */
  const via = (u: UnitResult) => {
    const from = u.path.indexOf(unit.unitId);
    return u.path.slice(from + 1, -1).map(nameOf).join(' › ');
  };
  const reportingUnits = [unit, ...branch].filter((u) => u.reporting !== null);
  const notReported = reportingUnits
    .filter((u) => u.reporting!.status === 'overdue' || u.reporting!.status === 'pending')
    .sort((a, b) => (a.reporting!.status === b.reporting!.status ? 0 : a.reporting!.status === 'overdue' ? -1 : 1))
    .map((u) => ({ unit: u, via: via(u), daysLate: u.reporting!.status === 'overdue' ? daysBetween(u.reporting!.dueDate, asOfDate) : null }));

  const byId = new Map(directive.indicators.map((i) => [i.id, i]));
  const breaches = unit.fourNo
    .map((b) => ({ breach: b, village: results.units[b.villageId] }))
    .filter((x): x is { breach: FourNoBreach; village: UnitResult } => x.village !== undefined && (x.village.unitId === unit.unitId || inBranch(x.village)))
    .map(({ breach, village }) => ({ breach, village, indicator: byId.get(breach.indicatorId), via: via(village) }));

  const dues = new Set(reportingUnits.map((u) => u.reporting!.dueDate));
  const [due] = dues;

  let previousLabel: string | null = null;
  if (results.previousPeriodId) {
    try {
      previousLabel = periodById(results.previousPeriodId, directive.cutoff).label;
    } catch {
      previousLabel = 'kỳ trước';
    }
  }

  return {
    args,
    unit,
    children,
    childNoun: nounOf(childUnits),
    reportingNoun: nounOf(reportingUnits.length ? reportingUnits : childUnits),
    metAll: children.filter((c) => c.metAll).length,
    ranked: children.some((c) => c.unit.score !== null),
    targeted: children.some((c) => c.withTarget > 0),
    ownMet: all.filter((ind) => unit.indicators[ind.id]?.met === true).length,
    ownWithTarget: all.filter((ind) => unit.indicators[ind.id]?.target != null).length,
    indicators: all.filter((i) => !isFour(i)),
    fourNo: all.filter(isFour),
    notReported,
    breaches,
    dueDate: dues.size === 1 && due ? due : null,
    asOf: dateTimeVi(results.computedAt),
    previousLabel,
    docName: `${directive.kind || 'chỉ thị'} số ${directive.number}`,
  };
}

// ---- look ---------------------------------------------------------------------------------------------------------

const C = MAIL_COLORS;
const toneColor: Record<Tone, string> = { good: C.good, warn: C.warn, bad: C.bad, muted: C.muted };
const toneBg: Record<Tone, string> = { good: C.goodBg, warn: C.warnBg, bad: C.badBg, muted: C.head };

const TH = `padding:7px 8px;border:1px solid ${C.line};background:${C.head};font-size:12px;font-weight:bold;color:${C.ink};text-align:left;vertical-align:bottom;`;
const TD = `padding:7px 8px;border:1px solid ${C.line};font-size:14px;color:${C.ink};text-align:left;vertical-align:top;`;

function chip(text: string, tone: Tone): string {
  return `<span style="display:inline-block;padding:1px 6px;border-radius:3px;background:${toneBg[tone]};color:${toneColor[tone]};font-size:12px;font-weight:bold;white-space:nowrap;">${esc(text)}</span>`;
}

function small(text: string, color: string = C.muted): string {
  return text ? `<div style="font-size:12px;color:${color};margin-top:2px;">${esc(text)}</div>` : '';
}

function caption(text: string): string {
  return `<p style="margin:14px 0 6px;font-size:13px;font-weight:bold;color:${C.ink};">${esc(text)}</p>`;
}

/** A table with rich (already escaped) cells, styled like `table` of html.ts. */
function grid(headers: readonly { text: string; align?: 'right' | 'center'; width?: number }[], rows: readonly (readonly string[])[]): string {
  const align = (i: number) => (headers[i]?.align ? `text-align:${headers[i]!.align};` : '');
  return [
    '<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;max-width:720px;">',
    `<tr>${headers.map((h, i) => `<th${h.width ? ` width="${h.width}"` : ''} style="${TH}${align(i)}">${esc(h.text)}</th>`).join('')}</tr>`,
    ...rows.map((r) => `<tr>${r.map((v, i) => `<td style="${TD}${align(i)}">${v}</td>`).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

/** A horizontal bar: a table whose first cell is coloured over `pct` % of the width. */
function bar(pct: number | null, color: string): string {
  const p = pct === null ? 0 : Math.max(0, Math.min(100, Math.round(pct)));
  const cell = 'height:10px;font-size:1px;line-height:1px;mso-line-height-rule:exactly;';
  const filled = p > 0 ? `<td width="${p}%" style="width:${p}%;${cell}background:${color};">&nbsp;</td>` : '';
  const rest = p < 100 ? `<td style="${cell}background:${C.track};">&nbsp;</td>` : '';
  return `<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;"><tr>${filled}${rest}</tr></table>`;
}

function textBar(pct: number | null, width = 20): string {
  const n = pct === null ? 0 : Math.round((Math.max(0, Math.min(100, pct)) / 100) * width);
  return `[${'█'.repeat(n)}${'░'.repeat(width - n)}]`;
}

function rankMove(change: number | null | undefined): { text: string; tone: Tone } {
  if (change === null || change === undefined) return { text: '—', tone: 'muted' };
  if (change > 0) return { text: `▲ ${change}`, tone: 'good' };
  if (change < 0) return { text: `▼ ${-change}`, tone: 'bad' };
  return { text: '=', tone: 'muted' };
}

/** Whether a change of an indicator's actual is for the better (decrease: lower is better). */
function better(ind: Pick<Indicator, 'direction'>, delta: number): Tone {
  if (delta === 0) return 'muted';
  return (ind.direction === 'decrease' ? delta < 0 : delta > 0) ? 'good' : 'bad';
}

interface IndicatorLine {
  ind: Indicator;
  actual: IndicatorValue;
  target: IndicatorValue;
  met: boolean | null;
  /** 0…100, the achievement ratio as the rubric computes it; null without data. */
  pct: number | null;
  verdict: string;
  tone: Tone;
  /** "2/3 xã đạt". */
  childrenMet: string;
  delta: number | null;
}

function indicatorLines(m: DigestModel): IndicatorLine[] {
  return m.indicators.map((ind) => {
    const r = m.unit.indicators[ind.id]!;
    const ratio = achievementRatio(ind, r.actual, r.target);
    const pct = ratio === null ? null : ratio * 100;
    const verdict = r.met === null ? (r.actual === null ? 'Chưa có số liệu' : 'Không có chỉ tiêu') : r.met ? 'Đạt' : 'Chưa đạt';
    const tone: Tone = r.met === null ? 'muted' : r.met ? 'good' : pct !== null && pct >= 80 ? 'warn' : 'bad';
    const withTarget = m.children.filter((c) => c.unit.indicators[ind.id]?.target !== null && c.unit.indicators[ind.id]?.target !== undefined);
    const met = withTarget.filter((c) => c.unit.indicators[ind.id]?.met === true).length;
    return {
      ind,
      actual: r.actual,
      target: r.target,
      met: r.met,
      pct,
      verdict,
      tone,
      childrenMet: withTarget.length ? `${met}/${withTarget.length} ${m.childNoun} đạt` : '',
      delta: m.unit.change?.indicators[ind.id] ?? null,
    };
  });
}

/** "(1) " before an indicator of a numbered group of the directive; nothing for named groups or none. */
function groupTag(ind: Pick<Indicator, 'group'>): string {
  return ind.group && /^\(.*\)$/.test(ind.group.trim()) ? `<span style="color:${C.muted};">${esc(ind.group.trim())}</span> ` : '';
}

function percentMet(pct: number | null): string {
  return pct === null ? '' : `mức đạt ${Math.round(pct)}%`;
}

// ---- the email ----------------------------------------------------------------------------------------------------

export function renderDigest(args: DigestArgs): RenderedMail {
  const m = digestModel(args);
  const { directive, periodLabel, leader } = args;
  const u = m.unit;
  const kids = m.children.length;
  const reportedPart = `${u.rates.received}/${u.rates.expected} ${m.reportingNoun} báo cáo`;
  const metPart = !m.targeted
    ? `đạt ${m.ownMet}/${m.ownWithTarget} chỉ tiêu`
    : m.childNoun === m.reportingNoun
      ? `${m.metAll} đạt chỉ tiêu`
      : `${m.metAll}/${kids} ${m.childNoun} đạt chỉ tiêu`;
  const metTile = m.targeted
    ? { label: `${cap(m.childNoun)} đạt toàn bộ chỉ tiêu`, value: `${m.metAll}/${kids}`, sub: `trên ${kids} ${m.childNoun} trực thuộc` }
    : { label: 'Chỉ tiêu đạt', value: `${m.ownMet}/${m.ownWithTarget}`, sub: `chỉ tiêu của ${leader.name}` };
  const subject = `[thidua] Kết quả thi đua ${periodLabel} – ${leader.name}: ${reportedPart}, ${metPart}`;

  const greeting = `Kính gửi: Lãnh đạo ${leader.name}`;
  const intro =
    `Hệ thống thidua tổng hợp kết quả thực hiện ${m.docName} ngày ${formatDateVi(directive.issuedOn)} của ${directive.issuerName} ` +
    `"${directive.title}", ${periodLabel}, trên địa bàn ${leader.name}` +
    (m.dueDate ? ` (hạn nộp báo cáo ${formatDateVi(m.dueDate)})` : '') +
    `. Số liệu tính đến ${m.asOf}.`;

  const lines = indicatorLines(m);
  const prevWord = m.previousLabel ? `so với ${m.previousLabel}` : '';
  const scoreChange = u.change?.score ?? null;
  const rankText = u.rank !== null && u.rankOf !== null ? `Xếp hạng ${u.rank}/${u.rankOf}` : '';
  const rn = m.reportingNoun;
  const cn = m.childNoun;

  // 1. Headline figures
  const flag = (x: number | null) => x !== null && x < 0.8;
  const tiles: { label: string; value: string; sub: string; tone: Tone; flagged?: boolean }[] = [
    { label: 'Đã báo cáo', value: `${u.rates.received}/${u.rates.expected}`, sub: `${rn} nộp báo cáo`, tone: 'muted' },
    { label: 'Nộp đúng hạn', value: `${u.rates.onTime}/${u.rates.expected}`, sub: `${rn} nộp đúng hạn`, tone: 'muted' },
    { ...metTile, tone: 'muted' },
    { label: 'Tỷ lệ báo cáo đầy đủ', value: rate(u.rates.completeness), sub: flag(u.rates.completeness) ? 'Dưới 80%' : 'Đạt từ 80% trở lên', tone: flag(u.rates.completeness) ? 'bad' : 'good', flagged: flag(u.rates.completeness) },
    { label: 'Tỷ lệ báo cáo đúng hạn', value: rate(u.rates.timeliness), sub: flag(u.rates.timeliness) ? 'Dưới 80%' : 'Đạt từ 80% trở lên', tone: flag(u.rates.timeliness) ? 'bad' : 'good', flagged: flag(u.rates.timeliness) },
    {
      label: u.reporting ? 'Điểm thi đua' : 'Điểm thi đua (bình quân)',
      value: u.score === null ? '—' : num(u.score),
      sub: [scoreChange !== null ? (scoreChange === 0 ? `không đổi ${prevWord}` : `${scoreChange > 0 ? '▲' : '▼'} ${num(Math.abs(scoreChange))} điểm ${prevWord}`).trim() : '', rankText].filter(Boolean).join(' · '),
      tone: scoreChange === null || scoreChange === 0 ? 'muted' : scoreChange > 0 ? 'good' : 'bad',
    },
  ];
  const tileHtml = (t: (typeof tiles)[number]) =>
    `<td width="32%" valign="top" style="width:32%;padding:10px 12px;background:${t.flagged ? C.badBg : C.soft};border:1px solid ${t.flagged ? '#efc4bf' : C.line};vertical-align:top;">` +
    `<div style="font-size:12px;color:${C.muted};line-height:1.3;">${esc(t.label)}</div>` +
    `<div style="font-size:24px;font-weight:bold;line-height:1.25;margin-top:4px;color:${t.flagged ? C.bad : C.ink};">${esc(t.value)}</div>` +
    `<div style="font-size:12px;line-height:1.3;margin-top:2px;color:${toneColor[t.tone]};${t.flagged ? 'font-weight:bold;' : ''}">${t.flagged ? '⚠ ' : ''}${esc(t.sub)}</div></td>`;
  const gap = '<td width="2%" style="width:2%;font-size:1px;">&nbsp;</td>';
  const tileRow = (ts: typeof tiles) => `<tr>${ts.map(tileHtml).join(gap)}</tr>`;
  const headline = [
    '<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;max-width:720px;">',
    tileRow(tiles.slice(0, 3)),
    '<tr><td colspan="5" style="height:8px;font-size:1px;line-height:1px;">&nbsp;</td></tr>',
    tileRow(tiles.slice(3)),
    '</table>',
  ].join('\n');

  // 2. Ranking of the children
  const rankRows = m.children.map((c) => {
    const mv = rankMove(c.unit.change?.rank);
    const ds = c.unit.change?.score ?? null;
    return [
      `<b style="font-size:15px;">${esc(c.unit.rank ?? '—')}</b>`,
      `${esc(c.unit.name)}${c.breaches ? small(`Vi phạm "4 không": ${c.breaches}`, C.bad) : ''}`,
      `<b>${esc(c.unit.score === null ? '—' : num(c.unit.score))}</b>${ds !== null ? small(`${signed(ds)} điểm`, toneColor[ds > 0 ? 'good' : ds < 0 ? 'bad' : 'muted']) : ''}`,
      `<span style="color:${toneColor[mv.tone]};font-weight:bold;white-space:nowrap;">${esc(mv.text)}</span>`,
      `${chip(c.status, c.tone)}${small(c.statusDetail)}`,
      c.met === null ? '—' : `${esc(c.met)}/${esc(c.withTarget)}`,
    ];
  });
  const ranking = kids
    ? grid(
        [{ text: 'Hạng', align: 'center', width: 44 }, { text: 'Đơn vị' }, { text: 'Điểm', align: 'right', width: 60 }, { text: 'Thay đổi hạng', align: 'center', width: 64 }, { text: 'Báo cáo', width: 140 }, { text: 'Chỉ tiêu đạt', align: 'center', width: 64 }],
        rankRows,
      )
    : para(`Không có ${cn} trực thuộc.`);

  // 3. Indicators as bars
  const barColor = (t: Tone) => (t === 'good' ? C.good : t === 'warn' ? C.warnBar : t === 'bad' ? C.badBar : C.track);
  const indicatorHtml = lines
    .map((l) => {
      const deltaText = l.delta !== null && m.previousLabel ? `${signed(l.delta)} ${prevWord}` : '';
      const meta = [percentMet(l.pct), l.childrenMet].filter(Boolean).join(' · ');
      return [
        '<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;margin:0 0 14px;">',
        `<tr><td style="font-size:14px;line-height:1.35;padding:0 8px 4px 0;color:${C.ink};vertical-align:bottom;">${groupTag(l.ind)}<b>${esc(l.ind.name)}</b></td>`,
        `<td align="right" style="text-align:right;white-space:nowrap;padding:0 0 4px;vertical-align:bottom;">${chip(l.verdict, l.tone)}</td></tr>`,
        `<tr><td colspan="2" style="padding:0;">${bar(l.pct, barColor(l.tone))}</td></tr>`,
        `<tr><td style="font-size:12px;line-height:1.4;color:${C.muted};padding-top:3px;">Thực hiện <b style="color:${C.ink};">${esc(actualVi(l.ind, l.actual))}</b> / chỉ tiêu <b style="color:${C.ink};">${esc(targetVi(l.ind, l.target))}</b>${meta ? ` · ${esc(meta)}` : ''}</td>`,
        `<td align="right" style="text-align:right;font-size:12px;padding-top:3px;white-space:nowrap;color:${l.delta !== null ? toneColor[better(l.ind, l.delta)] : C.muted};">${esc(deltaText)}</td></tr>`,
        '</table>',
      ].join('');
    })
    .join('\n');

  // 4. Units that did not report
  const notReportedHeaders = m.notReported.some((x) => x.via) ? ['Đơn vị', 'Thuộc', 'Hạn nộp', 'Tình trạng'] : ['Đơn vị', 'Hạn nộp', 'Tình trạng'];
  const notReportedRows = m.notReported.map((x) => {
    const state = x.daysLate !== null ? (x.daysLate > 0 ? `Quá hạn ${x.daysLate} ngày` : 'Quá hạn') : 'Chưa đến hạn';
    const row = [x.unit.name, formatDateVi(x.unit.reporting!.dueDate), state];
    return notReportedHeaders.length === 4 ? [row[0]!, x.via, ...row.slice(1)] : row;
  });
  const overdueCount = m.notReported.filter((x) => x.daysLate !== null).length;
  const notReportedLead =
    m.notReported.length === 0
      ? `Tất cả ${u.rates.expected} ${rn} đã nộp báo cáo.`
      : `${m.notReported.length}/${u.rates.expected} ${rn} chưa nộp báo cáo` + (overdueCount ? `, trong đó ${overdueCount} ${rn} đã quá hạn.` : '.');

  // 5. "4 không"
  const fourNoCounts = m.fourNo.map((ind) => {
    const list = m.breaches.filter((b) => b.breach.indicatorId === ind.id);
    return { ind, incidents: list.reduce((n, b) => n + b.breach.count, 0), villages: list.length };
  });
  const breachHeaders = ['Thôn', 'Thuộc', 'Tiêu chí vi phạm', 'Số vụ'];
  const breachRows = m.breaches.map((b) => [b.village.name, b.via || '—', b.indicator?.name ?? b.breach.indicatorId, num(b.breach.count)]);
  const breachVillages = new Set(m.breaches.map((b) => b.village.unitId)).size;
  const { deductionPerBreach, perVillage } = args.results.rubric.fourNo;
  const deductionRule = !deductionPerBreach
    ? ''
    : perVillage
      ? `: mỗi thôn vi phạm một tiêu chí trừ ${num(deductionPerBreach)} điểm của ${rn}`
      : `: mỗi tiêu chí bị vi phạm trừ ${num(deductionPerBreach)} điểm của ${rn} (một lần, dù nhiều thôn vi phạm)`;
  const fourNoLead = m.breaches.length
    ? `${breachVillages} thôn vi phạm tiêu chí "4 không" (${m.breaches.length} lượt vi phạm)` + deductionRule + '.'
    : `Không có thôn nào vi phạm tiêu chí "4 không".`;
  const fourNoSummary = fourNoCounts.map((f) => `${f.ind.name}: ${f.incidents ? `${num(f.incidents)} ${f.ind.measure} tại ${f.villages} thôn` : `không có`}`);

  // 6. Change since the previous period
  const changedKids = m.children.filter((c) => c.unit.change !== null);
  const hasChange = u.change !== null || changedKids.length > 0;
  const prevScore = u.change?.score !== null && u.change?.score !== undefined && u.score !== null ? u.score - u.change.score : null;
  const changeLead =
    u.change && u.change.score !== null && prevScore !== null
      ? `Điểm thi đua${u.reporting ? '' : ' bình quân'} của ${leader.name}: ${num(u.score!)} điểm, ${u.change.score > 0 ? `tăng ${num(u.change.score)} điểm` : u.change.score < 0 ? `giảm ${num(-u.change.score)} điểm` : 'không đổi'} so với ${m.previousLabel ?? 'kỳ trước'} (${num(prevScore)} điểm).`
      : '';
  const deltaRows = lines.concat(indicatorLines({ ...m, indicators: m.fourNo })).filter((l) => l.delta !== null);
  const deltaTone = (l: IndicatorLine) => better(l.ind, l.delta!);
  const deltaWord = (t: Tone) => (t === 'good' ? 'Tiến bộ' : t === 'bad' ? 'Giảm sút' : 'Không đổi');
  const moves = changedKids.map((c) => {
    const ch = c.unit.change!;
    const prevRank = ch.rank !== null && c.unit.rank !== null ? c.unit.rank + ch.rank : null;
    const prevS = ch.score !== null && c.unit.score !== null ? c.unit.score - ch.score : null;
    return {
      c,
      rankText: prevRank !== null ? `${prevRank} → ${c.unit.rank}` : c.unit.rank !== null ? `— → ${c.unit.rank}` : '—',
      mv: rankMove(ch.rank),
      scoreText: prevS !== null ? `${num(prevS)} → ${num(c.unit.score!)}` : '—',
      ds: ch.score,
    };
  });

  const { add: section, html: sections, text: textSections } = numberedSections();

  // Directives with approval count only approved reports: say how many are not counted yet.
  const awaitingLine = args.awaitingApproval ? `Còn ${args.awaitingApproval} báo cáo chờ cấp trên duyệt; kết quả chỉ tính các báo cáo đã được duyệt.` : '';
  section(
    'Tình hình báo cáo và kết quả chung',
    headline + (awaitingLine ? para(awaitingLine, `color:${C.warn};`) : ''),
    [
      `- Đã báo cáo: ${u.rates.received}/${u.rates.expected} ${rn}`,
      `- Nộp đúng hạn: ${u.rates.onTime}/${u.rates.expected} ${rn}`,
      `- ${metTile.label}: ${metTile.value}`,
      `- Tỷ lệ báo cáo đầy đủ: ${rate(u.rates.completeness)}${flag(u.rates.completeness) ? ' – ⚠ Dưới 80%' : ''}`,
      `- Tỷ lệ báo cáo đúng hạn: ${rate(u.rates.timeliness)}${flag(u.rates.timeliness) ? ' – ⚠ Dưới 80%' : ''}`,
      `- ${u.reporting ? 'Điểm thi đua' : 'Điểm thi đua (bình quân)'}: ${u.score === null ? '—' : num(u.score)}${scoreChange !== null ? ` (${signed(scoreChange)} điểm ${prevWord})`.replace(/ \)$/, ')') : ''}${rankText ? ` – ${rankText}` : ''}`,
      ...(awaitingLine ? [`- ${awaitingLine}`] : []),
    ].join('\n'),
  );

  // Villages are not scored: list what each reported and its "4 không" breaches instead of a ranking.
  const fourNoName = new Map(m.fourNo.map((i) => [i.id, i.name]));
  const plainHeaders = [`${cap(cn)}`, 'Số liệu đã báo cáo', 'Vi phạm "4 không"'];
  const plainRows = m.children.map((c) => {
    const given = [...m.indicators, ...m.fourNo].filter((i) => c.unit.indicators[i.id]?.actual != null).length;
    const broken = c.unit.fourNo.map((b) => `${fourNoName.get(b.indicatorId) ?? b.indicatorId} (${num(b.count)})`);
    return [c.unit.name, given ? `${given}/${m.indicators.length + m.fourNo.length} chỉ tiêu` : 'Chưa có', broken.length ? broken.join('; ') : 'Không'];
  });
  const rankingText = kids
    ? textTable(
      ['Hạng', 'Đơn vị', 'Điểm', 'Thay đổi hạng', 'Báo cáo', 'Chỉ tiêu đạt'],
      m.children.map((c) => [
        String(c.unit.rank ?? '—'),
        c.unit.name + (c.breaches ? ` (vi phạm "4 không": ${c.breaches})` : ''),
        (c.unit.score === null ? '—' : num(c.unit.score)) + (c.unit.change?.score != null ? ` (${signed(c.unit.change.score)})` : ''),
        rankMove(c.unit.change?.rank).text,
        [c.status, c.statusDetail].filter(Boolean).join(', '),
        c.met === null ? '—' : `${c.met}/${c.withTarget}`,
      ]),
    )
    : `Không có ${cn} trực thuộc.`;
  if (kids && !m.ranked) section(`Các ${cn} trực thuộc`, table(plainHeaders, plainRows), textTable(plainHeaders, plainRows));
  else section(`Xếp hạng các ${cn} trực thuộc`, ranking, rankingText);

  section(
    `Kết quả thực hiện chỉ tiêu của ${leader.name}`,
    (lines.length ? indicatorHtml : para('Chỉ thị không có chỉ tiêu ngoài "4 không".')) +
      small('Thanh ngang: mức đạt so với chỉ tiêu (đủ thanh = đạt chỉ tiêu; chỉ tiêu giảm tính bằng chỉ tiêu ÷ thực hiện).'),
    lines
      .map((l) =>
        [
          `${l.ind.name}: ${l.verdict}`,
          `  ${textBar(l.pct)} ${l.pct === null ? '—' : `${Math.round(l.pct)}%`}  Thực hiện ${actualVi(l.ind, l.actual)} / chỉ tiêu ${targetVi(l.ind, l.target)}` +
            (l.childrenMet ? ` · ${l.childrenMet}` : '') +
            (l.delta !== null && m.previousLabel ? ` · ${signed(l.delta)} ${prevWord}` : ''),
        ].join('\n'),
      )
      .join('\n'),
  );

  section(
    `${cap(rn)} chưa nộp báo cáo`,
    para(notReportedLead) + (m.notReported.length ? table(notReportedHeaders, notReportedRows) : ''),
    notReportedLead + (m.notReported.length ? `\n${textTable(notReportedHeaders, notReportedRows)}` : ''),
  );

  section(
    'Vi phạm tiêu chí "4 không"',
    para(fourNoLead, m.breaches.length ? `color:${C.bad};` : '') +
      (m.breaches.length ? table(breachHeaders, breachRows, { rightAlign: [3] }) : '') +
      (fourNoSummary.length ? `<ul style="margin:8px 0 0;padding-left:20px;font-size:13px;line-height:1.5;color:${C.muted};">${fourNoSummary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''),
    [fourNoLead, m.breaches.length ? textTable(breachHeaders, breachRows) : '', ...fourNoSummary.map((s) => `- ${s}`)].filter(Boolean).join('\n'),
  );

  if (hasChange) {
    const deltaHeaders = ['Chỉ tiêu', 'Kỳ này', 'Thay đổi', 'Đánh giá'];
    const deltaTextRows = deltaRows.map((l) => [l.ind.name, actualVi(l.ind, l.actual), signed(l.delta!), deltaWord(deltaTone(l))]);
    const moveHeaders = ['Đơn vị', 'Hạng', 'Thay đổi hạng', 'Điểm', 'Thay đổi điểm'];
    const moveTextRows = moves.map((x) => [x.c.unit.name, x.rankText, x.mv.text, x.scoreText, x.ds === null ? '—' : signed(x.ds)]);
    const html = [
      changeLead ? para(changeLead) : '',
      deltaRows.length
        ? caption(`Chỉ tiêu của ${leader.name}`) +
          grid(
            [{ text: 'Chỉ tiêu' }, { text: 'Kỳ này', align: 'right', width: 96 }, { text: 'Thay đổi', align: 'right', width: 80 }, { text: 'Đánh giá', width: 84 }],
            deltaRows.map((l) => {
              const t = deltaTone(l);
              return [esc(l.ind.name), esc(actualVi(l.ind, l.actual)), `<span style="color:${toneColor[t]};font-weight:bold;">${esc(signed(l.delta!))}</span>`, chip(deltaWord(t), t)];
            }),
          )
        : '',
      moves.length
        ? caption(`Thứ hạng và điểm của các ${cn} (${m.previousLabel ?? 'kỳ trước'} → ${periodLabel})`) +
          grid(
            [{ text: 'Đơn vị' }, { text: 'Hạng', align: 'center', width: 84 }, { text: 'Thay đổi hạng', align: 'center', width: 70 }, { text: 'Điểm', align: 'right', width: 110 }],
            moves.map((x) => [
              esc(x.c.unit.name),
              esc(x.rankText),
              `<span style="color:${toneColor[x.mv.tone]};font-weight:bold;">${esc(x.mv.text)}</span>`,
              `${esc(x.scoreText)}${x.ds !== null ? small(`${signed(x.ds)} điểm`, toneColor[x.ds > 0 ? 'good' : x.ds < 0 ? 'bad' : 'muted']) : ''}`,
            ]),
          )
        : '',
    ].join('\n');
    section(
      `So với ${m.previousLabel ?? 'kỳ trước'}`,
      html,
      [changeLead, deltaRows.length ? textTable(deltaHeaders, deltaTextRows) : '', moves.length ? textTable(moveHeaders, moveTextRows) : ''].filter(Boolean).join('\n\n'),
    );
  }

  const banner = [
    `<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;max-width:720px;background:${C.navy};">`,
    `<tr><td style="padding:16px 20px;color:#ffffff;">`,
    `<div style="font-size:12px;line-height:1.4;color:${C.navySoft};">BẢN TIN THI ĐUA · ${esc(m.docName.toLocaleUpperCase('vi'))}</div>`,
    `<div style="font-size:21px;line-height:1.3;font-weight:bold;margin-top:4px;color:#ffffff;">Kết quả thi đua ${esc(periodLabel)}</div>`,
    `<div style="font-size:15px;line-height:1.4;margin-top:2px;color:#ffffff;">${esc(leader.name)}</div>`,
    `</td></tr></table>`,
  ].join('');
  const closing =
    `Điểm thi đua tính theo thang điểm của chỉ thị (tối đa ${num(args.results.rubric.cap)} điểm; ${rn} không báo cáo được ${num(args.results.rubric.notReportedScore)} điểm` +
    (u.reporting ? ').' : `; điểm của ${leader.name} là bình quân điểm các ${cn} trực thuộc).`);

  const html = layout(
    subject,
    letterHtml({ banner, greeting, intro, sections, closingHtml: `<p style="margin:20px 0 0;font-size:12px;line-height:1.5;color:${C.muted};">${esc(closing)}</p>` }),
  );
  const text = letterText({
    title: `KẾT QUẢ THI ĐUA ${periodLabel.toLocaleUpperCase('vi')} – ${leader.name.toLocaleUpperCase('vi')}`,
    subtitle: `${cap(m.docName)} của ${directive.issuerName}`,
    greeting,
    intro,
    sections: textSections,
    closing,
  });
  return { subject, html, text };
}
