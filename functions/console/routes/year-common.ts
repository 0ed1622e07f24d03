/**
 * What the emulation year's pages share: the use cases' dependencies, the directive of the path (404 before
 * anything else is said), the unit a form names, the year page's path and the message after a change.
 */
import { HTTPException } from 'hono/http-exception';
import type { Directive } from '../../../shared/domain/directive.ts';
import type { Unit } from '../../../shared/domain/units.ts';
import type { EmulationDeps } from '../../../shared/app/emulation-year.ts';
import type { ConsoleContext } from '../context.ts';

export function emulationDeps(c: ConsoleContext): EmulationDeps {
  const d = c.get('deps');
  return { emulation: d.emulation, directives: d.directives, assignments: d.assignments, units: d.units, results: d.results, mail: d.mail, clock: d.clock };
}

export const yearPath = (directiveId: string) => `/emulation/${encodeURIComponent(directiveId)}`;

/** The directive of the path and its issuer; 404 for one that does not exist, before anything else is said. */
export async function directiveOf(c: ConsoleContext): Promise<{ directive: Directive; issuer: Unit }> {
  const deps = c.get('deps');
  const directive = await deps.directives.getDirective(c.req.param('directiveId') ?? '');
  const issuer = directive ? (await deps.units.getUnits([directive.issuerId])).get(directive.issuerId) : undefined;
  if (!directive || !issuer || directive.status !== 'issued') throw new HTTPException(404, { message: 'Không có chỉ thị này' });
  return { directive, issuer };
}

/** A unit named by a form, as stored; 404 when there is none. */
export async function unitOf(c: ConsoleContext, unitId: unknown): Promise<Unit> {
  const id = String(unitId ?? '');
  const unit = (await c.get('deps').units.getUnits([id])).get(id);
  if (!unit) throw new HTTPException(404, { message: 'Không có đơn vị này' });
  return unit;
}

const DONE_VI: Record<string, string> = {
  registered: 'Đã gửi đăng ký thi đua; chờ cấp trên duyệt.',
  approved: 'Đã duyệt đăng ký.',
  returned: 'Đã trả lại đăng ký, kèm lý do.',
  reminded: 'Đã gửi nhắc đăng ký cho các đơn vị chưa đăng ký.',
  clusters: 'Đã lưu các cụm, khối thi đua.',
  nominated: 'Đã gửi đề nghị, kèm báo cáo thành tích.',
  history: 'Đã nhập lịch sử danh hiệu.',
  session: 'Đã ghi phiên họp bình xét; biên bản đã được tạo.',
  decision: 'Đã ban hành quyết định khen thưởng và gửi thông báo cho các đơn vị.',
  'review-sent': 'Đã gửi báo cáo sơ kết cho lãnh đạo.',
  digests: 'Đã gửi bảng xếp hạng cụm cho các đơn vị trưởng cụm.',
  rules: 'Đã lưu quy tắc của năm thi đua.',
};

export function doneFlash(c: ConsoleContext): { flash: { tone: 'ok'; text: string } } | Record<string, never> {
  const text = DONE_VI[c.req.query('done') ?? ''];
  return text ? { flash: { tone: 'ok', text } } : {};
}

