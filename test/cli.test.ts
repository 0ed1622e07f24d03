import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../local/stack/stack.ts';

const home = mkdtempSync(join(tmpdir(), 'thidua-cli-'));
const bin = resolve(PROJECT_ROOT, 'local/bin/thidua.mjs');

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

  it('imports units, issues a directive and reports its status, as JSON for scripts', () => {
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
  });
});
