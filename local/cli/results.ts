import type { PeriodResults, UnitResult } from '../../shared/domain/results/index.ts';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x));

const STATUS_VI: Record<string, string> = { 'on-time': 'đúng hạn', late: 'muộn', pending: 'chưa đến hạn', overdue: 'chưa nộp', cancelled: 'đã hủy' };

function statusOf(u: UnitResult): string {
  if (u.reporting) return STATUS_VI[u.reporting.status] ?? u.reporting.status;
  return `${pct(u.rates.completeness)} đã nộp, ${pct(u.rates.timeliness)} đúng hạn${u.rates.flagged ? ' (dưới 80%)' : ''}`;
}

/** The results of one unit and the ranking of its children, for a terminal. */
export function describeResults(r: PeriodResults, focusId: string): string {
  const focus = r.units[focusId]!;
  const children = Object.values(r.units)
    .filter((u) => u.parentId === focusId)
    .sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.name.localeCompare(b.name, 'vi'));
  const met = (u: UnitResult) => {
    const all = Object.values(u.indicators).filter((i) => i.met !== null);
    return `${all.filter((i) => i.met).length}/${all.length}`;
  };
  const change = (u: UnitResult) => (u.change?.rank ? (u.change.rank > 0 ? ` ▲${u.change.rank}` : ` ▼${-u.change.rank}`) : '');
  return [
    `Kết quả kỳ ${r.periodId} – ${focus.name} (tính lúc ${new Date(r.computedAt).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' })})`,
    `  Báo cáo: ${statusOf(focus)} · điểm ${num(focus.score)} · chỉ tiêu đạt ${met(focus)}`,
    ...(focus.fourNo.length ? [`  "4 không": ${focus.fourNo.length} vi phạm (${[...new Set(focus.fourNo.map((b) => r.units[b.villageId]?.name ?? b.villageId))].join(', ')})`] : []),
    '',
    `  ${'Hạng'.padEnd(6)}${'Đơn vị'.padEnd(28)}${'Báo cáo'.padEnd(34)}${'Điểm'.padStart(8)}  Chỉ tiêu đạt`,
    ...children.map((u) => `  ${String(u.rank ?? '—').padEnd(6)}${u.name.padEnd(28)}${statusOf(u).padEnd(34)}${num(u.score).padStart(8)}  ${met(u)}${change(u)}`),
  ].join('\n');
}
