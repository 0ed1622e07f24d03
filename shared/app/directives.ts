import { createHash } from 'node:crypto';
import { DirectiveInput, shardCountFor, type Directive } from '../domain/directive.ts';
import { parseOrExplain } from '../domain/validation.ts';
import { InputError } from '../domain/errors.ts';
import type { Clock, DirectiveStore, EventPublisher, UnitDirectory } from './ports.ts';

export interface DirectiveDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  events: EventPublisher;
  clock: Clock;
}

export type IssueOutcome = { directive: Directive; outcome: 'issued' | 'amended' | 'withdrawn' | 'unchanged'; targetUnitCount?: number };

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const contentHash = (input: DirectiveInput) => createHash('sha256').update(canonical(input)).digest('hex').slice(0, 32);

/** Checks what the file names against the hierarchy; returns how many units it targets. */
async function checkAgainstHierarchy(input: DirectiveInput, units: UnitDirectory): Promise<number> {
  const issuer = (await units.getUnits([input.issuerId])).get(input.issuerId);
  if (!issuer) throw new InputError(`Không tìm thấy đơn vị ban hành "${input.issuerId}" trong danh sách đơn vị`, ['issuerId: hãy nhập danh sách đơn vị trước (trang Quản trị, hoặc lệnh thidua units import) hoặc sửa mã đơn vị']);
  const scope = input.targetUnits;
  let count: number;
  if (scope.scope === 'list') {
    const found = await units.getUnits(scope.unitIds);
    const problems: string[] = [];
    scope.unitIds.forEach((id, i) => {
      const u = found.get(id);
      if (!u) problems.push(`targetUnits.unitIds[${i}]: không tìm thấy đơn vị "${id}"`);
      else if (!u.path.includes(issuer.id) || u.id === issuer.id) problems.push(`targetUnits.unitIds[${i}]: "${u.name}" không thuộc ${issuer.name}`);
    });
    if (new Set(scope.unitIds).size !== scope.unitIds.length) problems.push('targetUnits.unitIds: có đơn vị bị lặp');
    if (problems.length) throw new InputError(`Danh sách đơn vị nhận chỉ tiêu có ${problems.length} lỗi`, problems);
    count = scope.unitIds.length;
  } else {
    count = scope.scope === 'children' ? await units.countChildren(issuer.id) : await units.countDescendantsAt(issuer, scope.level);
    if (count === 0) throw new InputError(`${issuer.name} không có đơn vị cấp dưới nào thuộc phạm vi đã chọn`, ['targetUnits: kiểm tra lại phạm vi hoặc danh sách đơn vị đã nhập']);
  }
  for (const unitId of Object.keys(input.unitTargets)) {
    if (scope.scope === 'list' && !scope.unitIds.includes(unitId)) {
      throw new InputError('Chỉ tiêu riêng cho đơn vị không nằm trong danh sách nhận chỉ tiêu', [`unitTargets.${unitId}: đơn vị này không được giao chỉ thị`]);
    }
  }
  return count;
}

/** Issues a new directive (version 1). Issuing the same file again changes nothing and re-announces it, so a lost event can be recovered. */
export async function issueDirective(raw: unknown, deps: DirectiveDeps): Promise<IssueOutcome> {
  const input = parseOrExplain(DirectiveInput, raw, 'Tệp chỉ thị');
  const hash = contentHash(input);
  const current = await deps.directives.getDirective(input.id);
  if (current) {
    if (current.contentHash === hash && current.status === 'issued') {
      await deps.events.publish(current.version === 1 ? 'DirectiveIssued' : 'DirectiveAmended', { directiveId: current.id, version: current.version, issuerId: current.issuerId });
      return { directive: current, outcome: 'unchanged' };
    }
    throw new InputError(`Chỉ thị "${input.id}" đã được ban hành (phiên bản ${current.version})`, [
      'Để sửa chỉ tiêu hoặc thêm đơn vị, hãy điều chỉnh chỉ thị (trang của chỉ thị: Điều chỉnh chỉ thị; hoặc lệnh thidua directive amend TỆP)',
    ]);
  }
  const targetUnitCount = await checkAgainstHierarchy(input, deps.units);
  const directive: Directive = {
    ...input,
    version: 1,
    status: 'issued',
    shardCount: shardCountFor(targetUnitCount),
    contentHash: hash,
    updatedAt: deps.clock.now().toISOString(),
  };
  const put = await deps.directives.putDirectiveVersion(directive, 0);
  if (put.outcome === 'conflict') throw new InputError(`Chỉ thị "${input.id}" vừa được ban hành từ nơi khác; hãy mở lại trang của chỉ thị (hoặc lệnh thidua directive show ${input.id}) để xem`);
  await deps.events.publish('DirectiveIssued', { directiveId: directive.id, version: directive.version, issuerId: directive.issuerId });
  return { directive: put.outcome === 'unchanged' ? put.current : directive, outcome: put.outcome === 'unchanged' ? 'unchanged' : 'issued', targetUnitCount };
}

/** A new version: changed targets, cadence, deadline or units. The shard count stays: stored items must stay findable. */
export async function amendDirective(raw: unknown, deps: DirectiveDeps): Promise<IssueOutcome> {
  const input = parseOrExplain(DirectiveInput, raw, 'Tệp chỉ thị');
  const current = await deps.directives.getDirective(input.id);
  if (!current) throw new InputError(`Chưa có chỉ thị "${input.id}" để điều chỉnh`, ['Hãy ban hành chỉ thị trước (trang Chỉ thị, hoặc lệnh thidua directive issue TỆP)']);
  if (current.status === 'withdrawn') throw new InputError(`Chỉ thị "${input.id}" đã bị thu hồi, không thể điều chỉnh`);
  if (input.issuerId !== current.issuerId) throw new InputError('Không thể đổi đơn vị ban hành của một chỉ thị đã ban hành', ['issuerId: giữ nguyên ' + current.issuerId]);
  const hash = contentHash(input);
  if (hash === current.contentHash) {
    // Nothing new to store; announcing the current version again recovers an event that was lost.
    await deps.events.publish(current.version === 1 ? 'DirectiveIssued' : 'DirectiveAmended', { directiveId: current.id, version: current.version, issuerId: current.issuerId });
    return { directive: current, outcome: 'unchanged' };
  }
  const targetUnitCount = await checkAgainstHierarchy(input, deps.units);
  const next: Directive = {
    ...input,
    version: current.version + 1,
    status: 'issued',
    shardCount: current.shardCount,
    contentHash: hash,
    updatedAt: deps.clock.now().toISOString(),
  };
  const put = await deps.directives.putDirectiveVersion(next, current.version);
  if (put.outcome === 'conflict') throw new InputError(`Chỉ thị "${input.id}" vừa được điều chỉnh từ nơi khác (phiên bản ${put.current?.version}); hãy thử lại`);
  await deps.events.publish('DirectiveAmended', { directiveId: next.id, version: next.version, issuerId: next.issuerId });
  return { directive: next, outcome: 'amended', targetUnitCount };
}

export async function withdrawDirective(directiveId: string, reason: string, deps: DirectiveDeps): Promise<IssueOutcome> {
  if (!reason.trim()) throw new InputError('Cần ghi lý do thu hồi', ['--reason "…"']);
  const current = await deps.directives.getDirective(directiveId);
  if (!current) throw new InputError(`Không tìm thấy chỉ thị "${directiveId}"`);
  if (current.status === 'withdrawn') {
    await deps.events.publish('DirectiveWithdrawn', { directiveId, version: current.version, reason: current.withdrawnReason ?? reason });
    return { directive: current, outcome: 'unchanged' };
  }
  const next: Directive = {
    ...current,
    version: current.version + 1,
    status: 'withdrawn',
    withdrawnReason: reason.trim(),
    updatedAt: deps.clock.now().toISOString(),
  };
  const put = await deps.directives.putDirectiveVersion(next, current.version);
  if (put.outcome === 'conflict') throw new InputError(`Chỉ thị "${directiveId}" vừa thay đổi từ nơi khác; hãy thử lại`);
  await deps.events.publish('DirectiveWithdrawn', { directiveId, version: next.version, reason: next.withdrawnReason ?? reason });
  return { directive: next, outcome: 'withdrawn' };
}
