import ExcelJS from 'exceljs';
import type { Directive } from '../domain/directive.ts';
import type { Commendations } from '../domain/results/index.ts';
import { esc, layout, table, textTable } from './html.ts';
import type { RenderedMail } from './assignment-email.ts';

const STATUS_VI: Record<string, string> = { 'on-time': 'đúng hạn', late: 'muộn', pending: 'chưa đến hạn', overdue: 'chưa nộp', cancelled: 'đã hủy' };
const num = (x: number | null) => (x === null ? '—' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x));

/** Đề nghị khen thưởng to the emulation council of the level above: the list, the evidence, the reasons for the rest. */
export function renderCommendations(c: Commendations, directive: Directive, council: string): RenderedMail {
  const subject = `[thidua] Đề nghị khen thưởng năm ${c.year} – ${directive.kind} số ${directive.number}: ${c.proposals.length} đơn vị`;
  const intro = `Căn cứ kết quả thực hiện ${directive.kind} số ${directive.number} "${directive.title}" năm ${c.year}, hệ thống tổng hợp ${c.proposals.length} đơn vị hoàn thành tất cả chỉ tiêu, giữ vững "4 không" và nộp đủ báo cáo các kỳ, đề nghị xem xét khen thưởng:`;
  const headers = ['Hạng', 'Đơn vị', 'Điểm năm', 'Các kỳ báo cáo (tình trạng, điểm, chỉ tiêu đạt)'];
  const rows = c.proposals.map((p) => [String(p.rank), p.name, num(p.score), p.evidence.map((e) => `${e.periodId}: ${STATUS_VI[e.status] ?? e.status}, ${num(e.score)}, ${e.targetsMet}`).join('; ')]);
  const others = c.notProposed.map((n) => [n.name, n.reason]);
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>Kính gửi: ${esc(council)}</p>`,
        `<p>${esc(intro)}</p>`,
        table(headers, rows),
        others.length ? `<p>Các đơn vị chưa đủ điều kiện (${others.length}):</p>${table(['Đơn vị', 'Lý do'], others)}` : '',
        '<p>Danh sách chi tiết gửi kèm (tệp .xlsx).</p>',
      ].join('\n'),
    ),
    text: [`Kính gửi: ${council}`, '', intro, '', textTable(headers, rows), '', ...(others.length ? [`Các đơn vị chưa đủ điều kiện (${others.length}):`, textTable(['Đơn vị', 'Lý do'], others)] : [])].join('\n'),
  };
}

export async function commendationsWorkbook(c: Commendations, directive: Directive): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Đề nghị khen thưởng');
  ws.addRow([`DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM ${c.year} – ${directive.kind.toUpperCase()} SỐ ${directive.number}`]);
  ws.addRow([]);
  const periods = c.proposals[0]?.evidence.map((e) => e.periodId) ?? [];
  ws.addRow(['Hạng', 'Đơn vị', 'Điểm năm', ...periods.map((p) => `Kỳ ${p}`)]).font = { bold: true };
  for (const p of c.proposals) ws.addRow([p.rank, p.name, p.score, ...p.evidence.map((e) => `${STATUS_VI[e.status] ?? e.status}; điểm ${num(e.score)}; đạt ${e.targetsMet}`)]);
  const others = wb.addWorksheet('Chưa đủ điều kiện');
  others.addRow(['Đơn vị', 'Lý do']).font = { bold: true };
  for (const n of c.notProposed) others.addRow([n.name, n.reason]);
  ws.getColumn(2).width = 28;
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
