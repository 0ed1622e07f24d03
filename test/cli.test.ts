import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../local/stack/stack.ts';

const home = mkdtempSync(join(tmpdir(), 'thidua-cli-'));
const bin = resolve(PROJECT_ROOT, 'local/bin/thidua.mjs');
writeFileSync(join(home, 'bad-calendar.json'), JSON.stringify({ year: 2027, workingWeekends: ['2027-02-17'] }));

function thidua(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, THIDUA_HOME: home, CI: 'true' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the thidua command', () => {
  it('explains itself and uses exit codes that mean something', () => {
    expect(thidua('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('directive issue TỆP.json') });
    const unknown = thidua('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Không có lệnh "frobnicate"');
  });

  it('refuses a bad units file with its line numbers, before touching anything', () => {
    // Prepare
    const file = join(home, 'bad-units.csv');
    writeFileSync(file, 'id,name,level,parent_id\nbt,Tỉnh Bình Thuận,tỉnh,\nbt-x1,Xã Hàm Liêm,ấp,bt\n');

    // Act
    const r = thidua('units', 'import', file);

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Lỗi: Tệp đơn vị có 1 lỗi, chưa nhập đơn vị nào');
    expect(r.stderr).toContain('Dòng 3: cấp "ấp" không hợp lệ');
  });

  it('imports units, issues a directive, reports its status and lets the clock pass a cut-off', { timeout: 300_000 }, () => {
    // Act
    const imported = thidua('units', 'import', 'local/sample/binh-thuan-units.csv', '--json');
    const issued = thidua('directive', 'issue', 'local/sample/directive-23-ct-tu-2027.json', '--json');
    const status = thidua('status', 'bt-23-ct-tu-2027', '--json');
    const human = thidua('status', 'bt-23-ct-tu-2027');
    const missing = thidua('directive', 'show', 'khong-co', '--json');

    // Assess
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ imported: 239, byLevel: { province: 1, district: 3, commune: 47, village: 188 } });
    expect(issued.code).toBe(0);
    expect(JSON.parse(issued.stdout)).toMatchObject({ outcome: 'issued', targetUnitCount: 47, directive: { id: 'bt-23-ct-tu-2027', version: 1 } });
    const s = JSON.parse(status.stdout);
    expect(s.assignments).toEqual({ active: 47, withdrawn: 0 });
    expect(s.mailSent).toBe(47);
    expect(s.periods).toHaveLength(6);
    expect(s.periods.every((p: { obligations: { open: number } }) => p.obligations.open === 47)).toBe(true);
    expect(human.stdout).toContain('Đơn vị được giao chỉ tiêu: 47');
    expect(human.stdout).toMatch(/Quý I\/2027\s+hạn 19\/03\/2027\s+chưa nộp\s+47/);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout)).toEqual({ error: 'Không tìm thấy chỉ thị "khong-co"', details: [] });

    // Act: the simulated clock passes the end of the first quarter's window (00:00 on 15/03, Vietnam time)
    const set = thidua('clock', 'set', '2027-03-14T23:00');
    const advanced = thidua('clock', 'advance', '2h', '--json');
    const shown = thidua('clock', 'show', '--json');
    const submitted = thidua('report', 'submit', 'bt-23-ct-tu-2027', '--period', '2027-Q1', '--unit', 'bt-htb-ham-liem');
    const extended = thidua('deadline', 'extend', 'bt-23-ct-tu-2027', '--period', '2027-Q1', '--until', '2027-03-26', '--json');

    // Assess
    expect(set.code).toBe(0);
    expect(advanced.code).toBe(0);
    expect(JSON.parse(advanced.stdout)).toMatchObject({ fired: [{ schedule: 'period-close-decree09', at: '2027-03-14T17:00:00.000Z' }], emails: 47 });
    expect(JSON.parse(shown.stdout)).toEqual({ now: '2027-03-14T18:00:00.000Z', simulated: true });
    expect(submitted.stdout).toContain('Đã ghi nhận báo cáo Quý I/2027 của bt-htb-ham-liem lúc 01:00 Thứ Hai, 15/03/2027: đúng hạn.');
    expect(JSON.parse(extended.stdout)).toEqual({ extended: 46, until: '2027-03-26' });
  });

  it('turns an uploaded directive document into a draft, refuses to confirm it incomplete, then issues it', { timeout: 300_000 }, () => {
    // Prepare: the units of the previous test are in this home; the officer's completions in a JSON file.
    const edits = join(home, 'bo-sung.json');
    const targets = { 'thu-quy': 100, 'giao-thong': 2, 'ho-ngheo': 3, 'suy-dinh-duong': 8, 'thon-van-hoa': 90, 'gia-dinh-van-hoa': 92, 'thu-gom-rac': 80, bhyt: 93, 'dang-vien-moi': 5 };
    writeFileSync(edits, JSON.stringify({ number: '15-CV/HU', issuedOn: '2020-03-05', indicators: Object.entries(targets).map(([id, target]) => ({ id, target })) }));

    // Act
    const uploaded = thidua('directive', 'draft', 'upload', 'local/sample/documents/cong-van-huyen-uy-2020.pdf', '--unit', 'bt-htb', '--json');
    const draftId = (JSON.parse(uploaded.stdout) as { draftId: string }).draftId;
    const shown = thidua('directive', 'draft', 'show', draftId);
    const incomplete = thidua('directive', 'draft', 'confirm', draftId);
    const confirmed = thidua('directive', 'draft', 'confirm', draftId, '--file', edits, '--json');
    const listed = thidua('directive', 'draft', 'list', '--unit', 'bt-htb', '--json');

    // Assess
    expect(uploaded.code).toBe(0);
    expect(JSON.parse(uploaded.stdout)).toMatchObject({ outcome: 'drafted', draft: { proposal: { directive: { kind: 'công văn', issuerId: 'bt-htb', year: 2020 } } } });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Đơn vị nhận chỉ tiêu\s+mọi đơn vị cấp xã thuộc Huyện Hàm Thuận Bắc/);
    expect(shown.stdout).toContain('Cần bổ sung (11):');
    expect(incomplete.code).toBe(3);
    expect(incomplete.stderr).toContain(`Lỗi: Bản nháp ${draftId} còn thiếu 11 mục`);
    expect(incomplete.stderr).toContain('number: Không đọc được số, ký hiệu của văn bản');
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ draftId, outcome: 'issued', targetUnitCount: 17, directive: { id: 'bt-htb-15-cv-hu-2020', number: '15-CV/HU' } });
    expect(JSON.parse(listed.stdout)).toEqual([
      { draftId, status: 'confirmed', kind: 'công văn', number: '15-CV/HU', missing: 0, directiveId: 'bt-htb-15-cv-hu-2020', files: ['cong-van-huyen-uy-2020.pdf'] },
    ]);
  });

  it('prints the calendar of a year, with its days off and every period\'s due date', () => {
    // Act
    const json = thidua('calendar', '2026', '--json');
    const human = thidua('calendar', '2026');

    // Assess
    const cal = JSON.parse(json.stdout);
    expect(cal.daysOff).toContainEqual({ date: '2026-02-17', name: 'Tết Nguyên đán (mùng 1)' });
    expect(cal.daysOff).toContainEqual({ date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương' });
    expect(cal.cadences.quarterly[0]).toEqual({ id: '2026-Q1', label: 'Quý I/2026', start: '2025-12-15', end: '2026-03-14', due: '2026-03-17' });
    // February's window ends on Saturday 14/02; the Tết break (16–20/02) pushes the deadline to Tuesday 24/02.
    expect(cal.cadences.monthly[1]).toMatchObject({ id: '2026-M02', end: '2026-02-14', due: '2026-02-24' });
    expect(human.stdout).toMatch(/17\/02\/2026\s+Thứ Ba\s+Tết Nguyên đán \(mùng 1\)/);
  });

  it('loads the government\'s announced days off and shows them in the calendar', () => {
    // Act
    const loaded = thidua('calendar', 'load', 'local/sample/calendar-2027.json');
    const cal = JSON.parse(thidua('calendar', '2027', '--json').stdout);
    const bad = thidua('calendar', 'load', join(home, 'bad-calendar.json'));

    // Assess
    expect(loaded.code).toBe(0);
    expect(cal.daysOff).toContainEqual({ date: '2027-02-12', name: 'Nghỉ hoán đổi dịp Tết Nguyên đán (làm bù thứ Bảy 20/02/2027)' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('workingWeekends[0]: ngày 2027-02-17 không phải thứ Bảy hay Chủ nhật');
  });

  it('refuses a clock it cannot read', () => {
    const r = thidua('clock', 'advance', 'mai');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Khoảng thời gian "mai" không hợp lệ');
  });
});
