/**
 * The multi-year review (sơ kết / tổng kết) as a leader reads it: an email (HTML with bar tables, since mail clients do
 * not show SVG, and plain text) and the console's page (an HTML fragment with inline SVG charts). Both show the same
 * figures of `MultiYearReview`: per year the registrations, titles and "4 không", the units whose score rose and fell
 * most, and each indicator's mean by year with how many units improved. Everything shown goes through `esc`.
 */
import { capitalize, letterHtml, letterText, MAIL_COLORS, numberedSections, para } from './look.ts';
import type { MultiYearReview, ReviewIndicator, ScoreMove, Trend, UnitReview } from '../domain/emulation/review.ts';
import type { IndicatorValue } from '../domain/results/types.ts';
import { LEVEL_NAME_VI } from '../domain/units.ts';
import type { RenderedMail } from './assignment-email.ts';
import { num, signed } from './digest-email.ts';
import { esc, layout, table, textTable } from './html.ts';

/** A trend as the review writes it. */
export const TREND_VI: Record<Trend, string> = { improved: 'tiến bộ', declined: 'giảm', unchanged: 'không đổi' };

export function trendVi(t: Trend | null): string {
  return t === null ? '—' : TREND_VI[t];
}

/** "2025–2027". */
export function yearSpan(review: Pick<MultiYearReview, 'years'>): string {
  const first = review.years[0];
  const last = review.years[review.years.length - 1];
  return first === undefined ? '' : first === last ? String(first) : `${first}–${last}`;
}

/** "chỉ thị số 23-CT/TU". */
export function docNameOf(review: Pick<MultiYearReview, 'directive'>): string {
  return `${review.directive.kind || 'chỉ thị'} số ${review.directive.number}`;
}

/** A value as the review shows it: "12", "4,5%", "Có", "—". */
export function valueVi(ind: Pick<ReviewIndicator, 'kind'>, v: IndicatorValue): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  return ind.kind === 'percent' ? `${num(v)}%` : num(v);
}

/** An indicator's yearly mean: numbers as they are, yes-no as the share answering "có". */
export function meanVi(ind: Pick<ReviewIndicator, 'kind'>, v: number | null): string {
  if (v === null) return '—';
  if (ind.kind === 'yes-no') return `${num(v * 100)}% có`;
  return ind.kind === 'percent' ? `${num(v)}%` : num(v);
}

const C = MAIL_COLORS;

const cap = capitalize;

/**
 * A bar chart mail clients show: one table row per item with its label, a bar drawn as a coloured cell of a width in
 * percent, and the value. Bars share one scale (the largest absolute value).
 */
export function barTable(rows: readonly { label: string; value: number; text: string; color?: string }[]): string {
  const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r.value)));
  const body = rows
    .map((r) => {
      const pct = Math.max(0, Math.min(100, Math.round((Math.abs(r.value) / max) * 100)));
      const bar =
        pct > 0
          ? `<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;"><tr><td width="${pct}%" style="width:${pct}%;height:12px;background:${r.color ?? C.bar};font-size:1px;line-height:1px;">&nbsp;</td>${pct < 100 ? `<td style="background:${C.track};font-size:1px;line-height:1px;">&nbsp;</td>` : ''}</tr></table>`
          : `<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;"><tr><td style="height:12px;background:${C.track};font-size:1px;line-height:1px;">&nbsp;</td></tr></table>`;
      return `<tr><td style="padding:4px 8px 4px 0;font-size:13px;color:${C.ink};width:36%;">${esc(r.label)}</td><td style="padding:4px 0;">${bar}</td><td style="padding:4px 0 4px 8px;font-size:13px;text-align:right;white-space:nowrap;color:${C.ink};width:18%;">${esc(r.text)}</td></tr>`;
    })
    .join('');
  return `<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;max-width:720px;margin:0 0 12px;">${body}</table>`;
}

/** The lines both renderings share. */
function figures(review: MultiYearReview) {
  const noun = LEVEL_NAME_VI[review.level];
  const yearsRow = review.years.map(String);
  const registrationRows = review.registrationsByYear.map((r) => [String(r.year), num(r.registered), num(r.approved), num(r.late)]);
  const titleRows = review.titlesByYear.flatMap((t) =>
    t.titles.length ? t.titles.map((x) => [String(t.year), x.titleVi, num(x.units)]) : [[String(t.year), 'Chưa có danh hiệu', '0']],
  );
  const fourNoRows = review.fourNoByYear.map((f) => [String(f.year), num(f.breaches), num(f.unitsBreaching), num(f.unitsClean), num(f.unitsUnassessed)]);
  const moveRows = (moves: readonly ScoreMove[]) => moves.map((m) => [m.name, num(m.first), num(m.last), signed(m.change)]);
  const byId = new Map(review.indicators.map((i) => [i.id, i]));
  const indicatorRows = review.indicatorSummaries.map((s) => {
    const ind = byId.get(s.indicatorId)!;
    return [ind.name + (ind.direction === 'decrease' ? ' (càng thấp càng tốt)' : ''), ...s.meanByYear.map((v) => meanVi(ind, v)), num(s.improved), num(s.declined), num(s.unchanged)];
  });
  // Compared as the lists are: first year against last year, units scored in both.
  const lastIndex = review.years.length - 1;
  const scored = review.units.filter((u) => u.scores[0] != null && u.scores[lastIndex] != null);
  const up = scored.filter((u) => u.scores[lastIndex]! > u.scores[0]!).length;
  const down = scored.filter((u) => u.scores[lastIndex]! < u.scores[0]!).length;
  return { noun, yearsRow, registrationRows, titleRows, fourNoRows, moveRows, indicatorRows, up, down, scored: scored.length };
}

const REG_HEADERS = ['Năm', 'Đăng ký thi đua', 'Được duyệt', 'Đăng ký muộn'];
const TITLE_HEADERS = ['Năm', 'Danh hiệu', 'Số đơn vị'];
const FOURNO_HEADERS = (noun: string) => ['Năm', 'Lượt vi phạm', `Số ${noun} vi phạm`, `Số ${noun} giữ vững`, `Số ${noun} chưa có số liệu`];
const MOVE_HEADERS = (first: number, last: number) => ['Đơn vị', `Điểm ${first}`, `Điểm ${last}`, 'Thay đổi'];

export function renderReviewEmail(review: MultiYearReview, ctx: { issuerName: string; consoleUrl: string }): RenderedMail {
  const f = figures(review);
  const span = yearSpan(review);
  const n = review.years.length;
  const first = review.years[0] ?? 0;
  const last = review.years[n - 1] ?? 0;
  const doc = docNameOf(review);
  const subject = `[thidua] Kết quả ${n} năm (${span}) thực hiện ${doc}: ${f.up} ${f.noun} tăng điểm, ${f.down} ${f.noun} giảm điểm`;
  const greeting = `Kính gửi: ${ctx.issuerName}`;
  const intro =
    `Hệ thống thidua tổng hợp kết quả ${n} năm (${span}) thực hiện ${doc} "${review.directive.title}" của các ${f.noun}, ` +
    `phục vụ sơ kết, tổng kết. So sánh năm ${first} với năm ${last}: ${f.up}/${f.scored} ${f.noun} tăng điểm thi đua, ${f.down}/${f.scored} ${f.noun} giảm điểm.`;

  const { add: section, html: sections, text: textSections } = numberedSections();

  const fourNoBars = barTable(review.fourNoByYear.map((x) => ({ label: `Năm ${x.year}`, value: x.breaches, text: `${num(x.breaches)} lượt`, color: C.badBar })));
  section(
    'Tổng hợp theo năm',
    [
      `<p style="margin:0 0 6px;font-size:13px;font-weight:bold;color:${C.muted};">Đăng ký thi đua</p>`,
      table(REG_HEADERS, f.registrationRows, { rightAlign: [1, 2, 3] }),
      `<p style="margin:12px 0 6px;font-size:13px;font-weight:bold;color:${C.muted};">Danh hiệu được công nhận</p>`,
      table(TITLE_HEADERS, f.titleRows, { rightAlign: [2] }),
      `<p style="margin:12px 0 6px;font-size:13px;font-weight:bold;color:${C.muted};">Vi phạm tiêu chí "4 không"</p>`,
      fourNoBars,
      table(FOURNO_HEADERS(f.noun), f.fourNoRows, { rightAlign: [1, 2, 3, 4] }),
    ].join('\n'),
    ['Đăng ký thi đua:', textTable(REG_HEADERS, f.registrationRows), '', 'Danh hiệu được công nhận:', textTable(TITLE_HEADERS, f.titleRows), '', 'Vi phạm tiêu chí "4 không":', textTable(FOURNO_HEADERS(f.noun), f.fourNoRows)].join('\n'),
  );

  const moveSection = (title: string, moves: readonly ScoreMove[], color: string, none: string) => {
    const rows = f.moveRows(moves);
    section(
      title,
      moves.length
        ? barTable(moves.map((m) => ({ label: m.name, value: m.change, text: `${signed(m.change)} điểm`, color }))) + table(MOVE_HEADERS(first, last), rows, { rightAlign: [1, 2, 3] })
        : para(none),
      moves.length ? textTable(MOVE_HEADERS(first, last), rows) : none,
    );
  };
  moveSection(`${cap(f.noun)} tiến bộ nhiều nhất (${first} → ${last})`, review.improvedMost, C.good, `Không có ${f.noun} nào tăng điểm.`);
  moveSection(`${cap(f.noun)} giảm điểm nhiều nhất (${first} → ${last})`, review.declinedMost, C.badBar, `Không có ${f.noun} nào giảm điểm.`);

  const indHeaders = ['Chỉ tiêu', ...f.yearsRow.map((y) => `Bình quân ${y}`), `Số ${f.noun} tiến bộ`, `Số ${f.noun} giảm`, 'Không đổi'];
  const byId = new Map(review.indicators.map((i) => [i.id, i]));
  const indicatorBars = review.indicatorSummaries
    .filter((s) => byId.get(s.indicatorId)!.kind !== 'yes-no')
    .map((s) => {
      const ind = byId.get(s.indicatorId)!;
      const note = ind.direction === 'decrease' ? ' (càng thấp càng tốt)' : '';
      return (
        `<p style="margin:10px 0 4px;font-size:13px;font-weight:bold;color:${C.ink};">${esc(ind.name)}${esc(note)}</p>` +
        barTable(s.meanByYear.map((v, i) => ({ label: `Năm ${review.years[i]}`, value: v ?? 0, text: meanVi(ind, v) })))
      );
    })
    .join('\n');
  section(
    'Kết quả các chỉ tiêu qua các năm',
    indicatorBars + table(indHeaders, f.indicatorRows, { rightAlign: indHeaders.map((_, i) => i).slice(1) }),
    textTable(indHeaders, f.indicatorRows),
  );

  const link = `Xem chi tiết từng ${f.noun} và tải bảng tổng hợp (XLSX) trên hệ thống thidua: ${ctx.consoleUrl}`;
  const banner = [
    `<table role="presentation" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;width:100%;max-width:720px;background:${C.navy};">`,
    `<tr><td style="padding:16px 20px;color:#ffffff;">`,
    `<div style="font-size:12px;line-height:1.4;color:${C.navySoft};">SƠ KẾT, TỔNG KẾT · ${esc(doc.toLocaleUpperCase('vi'))}</div>`,
    `<div style="font-size:21px;line-height:1.3;font-weight:bold;margin-top:4px;color:#ffffff;">Kết quả ${esc(n)} năm thực hiện (${esc(span)})</div>`,
    `<div style="font-size:15px;line-height:1.4;margin-top:2px;color:#ffffff;">${esc(ctx.issuerName)}</div>`,
    `</td></tr></table>`,
  ].join('');
  const html = layout(
    subject,
    letterHtml({
      banner,
      greeting,
      intro,
      sections,
      closingHtml: `<p style="margin:20px 0 0;font-size:14px;line-height:1.5;">Xem chi tiết từng ${esc(f.noun)} và tải bảng tổng hợp (XLSX) trên <a href="${esc(ctx.consoleUrl)}" style="color:${C.navy};">hệ thống thidua</a>.</p>`,
    }),
  );
  const text = letterText({ title: `KẾT QUẢ ${n} NĂM (${span}) THỰC HIỆN ${doc.toLocaleUpperCase('vi')}`, subtitle: review.directive.title, greeting, intro, sections: textSections, closing: link });
  return { subject, html, text };
}

// ---- the console's page -------------------------------------------------------------------------------------------

/** Lines of units that rose in greens and blues, of units that fell in reds and browns: the colour says which list it is. */
export const RISE_PALETTE = ['#2e7d4f', '#4a6fa5', '#1b7f86', '#3d7a2a', '#7b4fa0'];
export const FALL_PALETTE = ['#c0504d', '#b5651d', '#946200', '#8e3b6e', '#5f6b7a'];

/**
 * The score of some units by year as lines on one scale (0 to the largest score), one colour per unit with a legend;
 * each point carries its figure in a <title>. Years without a score break the line.
 */
export function scoreTrendSvg(units: readonly UnitReview[], years: readonly number[], id: string, label: string, palette: readonly string[] = RISE_PALETTE): string {
  const left = 44;
  const right = 16;
  const top = 12;
  const plotH = 180;
  const width = 560;
  const plotW = width - left - right;
  const legendH = 18 * units.length;
  const height = top + plotH + 28 + legendH;
  const max = Math.max(1, ...units.flatMap((u) => u.scores.filter((s): s is number => s !== null)));
  const x = (i: number) => left + (years.length > 1 ? (i / (years.length - 1)) * plotW : plotW / 2);
  const y = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  const grid = [0, 0.5, 1]
    .map((t) => {
      const v = max * t;
      return `<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e4e7eb"/><text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${esc(num(Math.round(v)))}</text>`;
    })
    .join('');
  const axis = years.map((yr, i) => `<text x="${x(i).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-size="12">${esc(yr)}</text>`).join('');
  const lines = units
    .map((u, k) => {
      const color = palette[k % palette.length]!;
      const segments: string[][] = [[]];
      u.scores.forEach((s, i) => {
        if (s === null) segments.push([]);
        else segments[segments.length - 1]!.push(`${x(i).toFixed(1)},${y(s).toFixed(1)}`);
      });
      const paths = segments.filter((s) => s.length > 1).map((s) => `<polyline points="${s.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`).join('');
      const dots = u.scores
        .map((s, i) => (s === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(s).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${u.name} – ${years[i]}: ${num(s)} điểm`)}</title></circle>`))
        .join('');
      const ly = top + plotH + 34 + k * 18;
      const legend = `<rect x="${left}" y="${ly - 9}" width="12" height="4" fill="${color}"/><text x="${left + 18}" y="${ly - 4}" font-size="12">${esc(`${u.name}: ${u.scoreChange === null ? '—' : `${signed(u.scoreChange)} điểm`}`)}</text>`;
      return paths + dots + legend;
    })
    .join('');
  return `<svg id="${esc(id)}" role="img" aria-label="${esc(label)}" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${grid}${axis}${lines}</svg>`;
}

/** "4 không" breaches by year as vertical bars, with the count above each bar. */
export function fourNoBarsSvg(review: MultiYearReview, id: string): string {
  const left = 16;
  const top = 18;
  const plotH = 140;
  const barW = 56;
  const gap = 36;
  const width = left * 2 + review.years.length * (barW + gap);
  const height = top + plotH + 26;
  const max = Math.max(1, ...review.fourNoByYear.map((f) => f.breaches));
  const bars = review.fourNoByYear
    .map((f, i) => {
      const h = (f.breaches / max) * plotH;
      const x = left + gap / 2 + i * (barW + gap);
      const y = top + plotH - h;
      return (
        `<rect x="${x}" y="${y.toFixed(1)}" width="${barW}" height="${h.toFixed(1)}" fill="${C.badBar}"><title>${esc(`${f.year}: ${num(f.breaches)} lượt vi phạm tại ${num(f.unitsBreaching)} ${LEVEL_NAME_VI[review.level]}`)}</title></rect>` +
        `<text x="${x + barW / 2}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="12" data-breaches="${esc(f.year)}">${esc(num(f.breaches))}</text>` +
        `<text x="${x + barW / 2}" y="${top + plotH + 18}" text-anchor="middle" font-size="12">${esc(f.year)}</text>`
      );
    })
    .join('');
  return `<svg id="${esc(id)}" role="img" aria-label="Số lượt vi phạm &quot;4 không&quot; theo năm" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" xmlns="http://www.w3.org/2000/svg"><line x1="${left}" x2="${width - left}" y1="${top + plotH}" y2="${top + plotH}" stroke="#9aa5b1"/>${bars}</svg>`;
}

function dataTable(id: string, headers: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[]): string {
  const th = headers.map((h, i) => `<th${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table class="data" id="${esc(id)}"><thead><tr>${th}</tr></thead><tbody>${body || `<tr><td colspan="${headers.length}">Không có.</td></tr>`}</tbody></table></div>`;
}

/** The review for the console: an HTML fragment (the console's layout wraps it) with inline SVG charts. */
export function renderReviewPage(review: MultiYearReview): string {
  const f = figures(review);
  const span = yearSpan(review);
  const first = review.years[0] ?? 0;
  const last = review.years[review.years.length - 1] ?? 0;
  const byUnit = new Map(review.units.map((u) => [u.unitId, u]));
  const pick = (moves: readonly ScoreMove[]) => moves.map((m) => byUnit.get(m.unitId)!).filter(Boolean);
  const chart = (title: string, moves: readonly ScoreMove[], id: string, none: string, palette: readonly string[]) =>
    moves.length
      ? `<figure class="card"><figcaption><strong>${esc(title)}</strong></figcaption>${scoreTrendSvg(pick(moves), review.years, id, `${title}: điểm thi đua theo năm`, palette)}</figure>`
      : `<p class="card">${esc(none)}</p>`;
  const indHeaders = ['Chỉ tiêu', ...f.yearsRow.map((y) => `Bình quân ${y}`), `Số ${f.noun} tiến bộ`, `Số ${f.noun} giảm`, 'Không đổi'];
  const unitHeaders = [cap(f.noun), ...f.yearsRow.map((y) => `Điểm ${y}`), 'Thay đổi', ...f.yearsRow.map((y) => `"4 không" ${y}`)];
  const unitRows = review.units.map((u) => [
    u.name,
    ...u.scores.map((s) => (s === null ? '—' : num(s))),
    u.scoreChange === null ? '—' : signed(u.scoreChange),
    ...u.breaches.map((b) => (b === null ? '—' : num(b))),
  ]);
  return `<h1>${esc(`Kết quả ${review.years.length} năm (${span}) thực hiện ${docNameOf(review)}`)}</h1>
<p class="muted">${esc(review.directive.title)}</p>
<p>${esc(`So sánh năm ${first} với năm ${last}: ${f.up}/${f.scored} ${f.noun} tăng điểm thi đua, ${f.down}/${f.scored} ${f.noun} giảm điểm.`)}</p>
<h2>${esc(`${cap(f.noun)} tiến bộ nhiều nhất`)}</h2>
${chart(`${cap(f.noun)} tăng điểm nhiều nhất (${first} → ${last})`, review.improvedMost, 'review-up', `Không có ${f.noun} nào tăng điểm.`, RISE_PALETTE)}
${review.improvedMost.length ? dataTable('review-improved', MOVE_HEADERS(first, last), f.moveRows(review.improvedMost), [1, 2, 3]) : ''}
<h2>${esc(`${cap(f.noun)} giảm điểm nhiều nhất`)}</h2>
${chart(`${cap(f.noun)} giảm điểm nhiều nhất (${first} → ${last})`, review.declinedMost, 'review-down', `Không có ${f.noun} nào giảm điểm.`, FALL_PALETTE)}
${review.declinedMost.length ? dataTable('review-declined', MOVE_HEADERS(first, last), f.moveRows(review.declinedMost), [1, 2, 3]) : ''}
<h2>Vi phạm tiêu chí "4 không" theo năm</h2>
<figure class="card">${fourNoBarsSvg(review, 'review-four-no')}</figure>
${dataTable('review-four-no-table', FOURNO_HEADERS(f.noun), f.fourNoRows, [1, 2, 3, 4])}
<h2>Đăng ký thi đua và danh hiệu</h2>
${dataTable('review-registrations', REG_HEADERS, f.registrationRows, [1, 2, 3])}
${dataTable('review-titles', TITLE_HEADERS, f.titleRows, [2])}
<h2>Chỉ tiêu qua các năm</h2>
${dataTable('review-indicators', indHeaders, f.indicatorRows, indHeaders.map((_, i) => i).slice(1))}
<h2>${esc(`Điểm thi đua và "4 không" của từng ${f.noun}`)}</h2>
${dataTable('review-units', unitHeaders, unitRows, unitHeaders.map((_, i) => i).slice(1))}`;
}
