import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../local/stack/stack.ts';
import { ConsoleClient } from './support/console.ts';

const home = mkdtempSync(join(tmpdir(), 'thidua-cli-'));
const bin = resolve(PROJECT_ROOT, 'local/bin/thidua.mjs');
writeFileSync(join(home, 'bad-calendar.json'), JSON.stringify({ year: 2027, workingWeekends: ['2027-02-17'] }));

function thiduaIn(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, THIDUA_HOME: dir, CI: 'true' }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const thidua = (...args: string[]) => thiduaIn(home, ...args);

async function until<T>(probe: () => T | undefined, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
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
    writeFileSync(file, 'id,name,level,parent_id\nbt,Tỉnh Bình Thuận,tỉnh,\nbt-x1,Xã Hàm Liêm,hamlet,bt\n');

    // Act
    const r = thidua('units', 'import', file);

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Lỗi: Tệp đơn vị có 1 lỗi, chưa nhập đơn vị nào');
    expect(r.stderr).toContain('Dòng 3: cấp "hamlet" không hợp lệ');
  });

  it('reports every problem of a units file at once, unknown parents included, and imports nothing', () => {
    // Prepare: a bad line, a parent that is neither in the file nor imported, a village above its commune
    const file = join(home, 'legacy-units.csv');
    writeFileSync(
      file,
      ['ma,ten,cap,ma_cap_tren', 'lc-bh,Huyện Bắc Hà,huyện,lao-cai', 'lc-bh-x1,Xã Bản Phố,xã,lc-bh', 'lc-bh-x1-b1,,bản,lc-bh-x1', 'lc-bh-x2,Xã Tà Chải,xã,lc-bh-x2-b1', 'lc-bh-x2-b1,Bản Tà Chải,bản,lc-bh'].join('\n'),
    );

    // Act
    const r = thidua('units', 'import', file, '--json');

    // Assess
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      error: 'Tệp đơn vị có 3 lỗi, chưa nhập đơn vị nào',
      details: [
        'Dòng 2: đơn vị cấp trên "lao-cai" của "lc-bh" không có trong tệp và chưa được nhập',
        'Dòng 4: thiếu tên đơn vị',
        'Dòng 5: đơn vị cấp xã "Xã Tà Chải" không thể nằm dưới "Bản Tà Chải" (cấp thôn): đơn vị cấp trên phải ở cấp cao hơn',
      ],
    });
  });

  it('says which field of a directive file is missing in words an officer understands', () => {
    // Prepare
    const { title: _title, ...noTitle } = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json'), 'utf8')) as Record<string, unknown>;
    const file = join(home, 'no-title.json');
    writeFileSync(file, JSON.stringify(noTitle));

    // Act
    const r = thidua('directive', 'issue', file);

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Lỗi: Tệp chỉ thị không hợp lệ (1 lỗi)');
    expect(r.stderr).toContain('  - title: thiếu tên (trích yếu) của chỉ thị');
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

  it('has nothing to wait for when no stack is running', () => {
    // Act
    const r = thidua('wait', '--json');

    // Assess
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ running: false, waited: false, settled: true, seconds: 0 });
  });

  it('with a running thidua up, --wait returns once the work has settled, and thidua wait waits for it', { timeout: 400_000 }, async () => {
    // Prepare: `thidua up` in its own home (its own process group, to stop it and its children at the end);
    // a legacy three-level province whose villages are bản, ấp, xóm and tiểu khu, next to the sample province.
    const upHome = mkdtempSync(join(tmpdir(), 'thidua-up-'));
    const up = spawn(process.execPath, [bin, 'up'], { cwd: PROJECT_ROOT, env: { ...process.env, THIDUA_HOME: upHome, CI: 'true' }, detached: true, stdio: 'ignore' });
    const exited = new Promise<number | null>((done) => up.once('exit', done));
    const legacy = join(upHome, 'lao-cai.csv');
    writeFileSync(
      legacy,
      [
        'id,name,level,parent_id',
        'lc,Tỉnh Lào Cai,tỉnh,',
        'lc-bh,Huyện Bắc Hà,huyện,lc',
        'lc-bh-bp,Xã Bản Phố,xã,lc-bh',
        'lc-bh-tt,Thị trấn Bắc Hà,thị trấn,lc-bh',
        'lc-bh-bp-1,Bản Phố 1,bản,lc-bh-bp',
        'lc-bh-bp-2,Ấp Mới,Ấp,lc-bh-bp',
        'lc-bh-bp-3,Xóm Trên,xom,lc-bh-bp',
        'lc-bh-tt-1,Tiểu khu 1,tiểu khu,lc-bh-tt',
      ].join('\n'),
    );
    let upPid: number | undefined;
    try {
      const running = await until(() => (existsSync(join(upHome, 'stack.json')) ? (JSON.parse(readFileSync(join(upHome, 'stack.json'), 'utf8')) as { pid: number; env: Record<string, string> }) : undefined), 'thidua up');
      upPid = running.pid;
      const pending = async () => ((await (await fetch(`${running.env.AWS_ENDPOINT_URL_EVENTBRIDGE}/_local/pending`)).json()) as { pending: number }).pending;
      expect(thiduaIn(upHome, 'units', 'import', 'local/sample/binh-thuan-units.csv').code).toBe(0);

      // Act
      const imported = thiduaIn(upHome, 'units', 'import', legacy, '--json');
      const issued = thiduaIn(upHome, 'directive', 'issue', 'local/sample/directive-23-ct-tu-2027.json', '--wait', '--json');
      const inFlightAfterIssue = await pending();
      const status = thiduaIn(upHome, 'status', 'bt-23-ct-tu-2027', '--json');
      const withdrawn = thiduaIn(upHome, 'directive', 'withdraw', 'bt-23-ct-tu-2027', '--reason', 'thử', '--wait', '--timeout', '1ms', '--json');
      const waited = thiduaIn(upHome, 'wait', '--timeout', '120s', '--json');
      const afterWithdrawal = thiduaIn(upHome, 'status', 'bt-23-ct-tu-2027', '--json');
      const badTimeout = thiduaIn(upHome, 'wait', '--timeout', 'mai');

      // Assess
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout)).toEqual({ imported: 8, byLevel: { province: 1, district: 1, commune: 2, village: 4 } });
      expect(issued.code).toBe(0);
      expect(JSON.parse(issued.stdout)).toMatchObject({ outcome: 'issued', targetUnitCount: 47, wait: { waited: true, settled: true, pending: 0 } });
      expect(inFlightAfterIssue).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ assignments: { active: 47, withdrawn: 0 }, mailSent: 47 });
      expect(withdrawn.code).toBe(5);
      expect(JSON.parse(withdrawn.stdout)).toMatchObject({ outcome: 'withdrawn', wait: { waited: true, settled: false } });
      expect(withdrawn.stderr).toContain('Chưa xử lý xong sau');
      expect(waited.code).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ running: true, waited: true, settled: true, pending: 0 });
      expect(JSON.parse(afterWithdrawal.stdout)).toMatchObject({ assignments: { active: 0, withdrawn: 47 }, mailSent: 94 });
      expect(badTimeout.code).toBe(2);
      expect(badTimeout.stderr).toContain('--timeout "mai" không hợp lệ');
    } finally {
      if (up.pid) process.kill(-up.pid, 'SIGINT');
      await exited;
      // The stack itself stops its services and clears its state once it has the signal.
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (upPid) await until(() => (alive(upPid as number) ? undefined : true), 'thidua up to stop', 30_000);
      rmSync(upHome, { recursive: true, force: true });
    }
  });

  it('thidua up --sample loads sample units and one person per role, and prints where to sign in to the console as each', async () => {
    // Prepare
    const upHome = mkdtempSync(join(tmpdir(), 'thidua-sample-'));
    const up = spawn(process.execPath, [bin, 'up', '--sample', '--json'], { cwd: PROJECT_ROOT, env: { ...process.env, THIDUA_HOME: upHome, CI: 'true' }, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<number | null>((done) => up.once('exit', done));
    let stdout = '';
    up.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    try {
      // Act
      type Printed = { consoleUrl: string; sampleUnits: number; samplePassword: string; sampleSignIns: { role: string; email: string }[] };
      const printed = await until(() => {
        try {
          return JSON.parse(stdout) as Printed;
        } catch {
          return undefined; // not all printed yet
        }
      }, 'thidua up --sample');
      const homes: Record<string, string> = {};
      for (const { role, email } of printed.sampleSignIns) {
        const client = new ConsoleClient(printed.consoleUrl);
        const signedIn = await client.signIn(email, printed.samplePassword);
        expect(signedIn.status, `${role} ${email}`).toBe(303);
        homes[role] = await (await client.request('GET', '/')).text();
      }

      // Assess
      expect(printed.sampleUnits).toBe(239);
      expect(printed.sampleSignIns.map((p) => p.role).sort()).toEqual(['admin', 'approver', 'leader', 'office', 'office', 'officer', 'secretary']);
      expect(homes.secretary).toContain('thư ký hội đồng thi đua – Tỉnh Bình Thuận');
      expect(homes.officer).toContain('cán bộ đơn vị – Thị trấn Ma Lâm');
      expect(homes.approver).toContain('cấp duyệt báo cáo – Huyện Hàm Thuận Bắc');
      expect(homes.leader).toContain('lãnh đạo – Tỉnh Bình Thuận');
      expect(homes.admin).toContain('quản trị – Tỉnh Bình Thuận');
    } finally {
      if (up.pid) process.kill(-up.pid, 'SIGINT');
      await exited;
      rmSync(upHome, { recursive: true, force: true });
    }
  });
});
