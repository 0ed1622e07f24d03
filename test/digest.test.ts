import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { computeResults, type PeriodResults } from '../shared/domain/results/index.ts';
import { DIRECTIVE_ID, directive, quarters } from './support/hand-province.ts';

const { q1Input, q2Input } = quarters();
import { renderDigest, type DigestArgs } from '../shared/mail/digest-email.ts';
import { DIGEST_XLSX_LAYOUT, digestWorkbook } from '../shared/mail/digest-xlsx.ts';

/*
 * The hierarchy of results-hand.test.ts (figures computed by hand there): province "p" → communes c1, c2, c3 →
 * villages cN-v1…cN-v3; quarter II/2027 with quarter I/2027 as the previous period.
 *   c1 on time, one serious traffic accident in c1-v1 ("Thôn 1 xã 1"): score 93, rank 1 (was 3: ▲ 2, +9)
 *   c2 late (submitted 09/07, due 07/07):                                  score 69, rank 2 (was 2: =, −26)
 *   c3 did not report (overdue, 8 days at 15/07):                          score 0,  rank 3 (was 1: ▼ 2, −100)
 *   p: 2/3 reported, 1/3 on time, completeness 66,7 % and timeliness 33,3 % (both flagged < 80 %), score 54 (−39),
 *      no commune meets every target (c1 5/7, c2 3/7, c3 nothing reported).
 */


/** The province leader's digest of quarter II, the previous quarter read back from stored JSON. */
function provinceArgs(): DigestArgs {
  const previous: PeriodResults = JSON.parse(JSON.stringify(computeResults(q1Input)));
  return { directive, periodLabel: 'Quý II/2027', results: computeResults(q2Input(previous)), leader: { unitId: 'p', name: 'Tỉnh P' }, childIds: ['c1', 'c2', 'c3'] };
}

/** The visible text of an HTML part, roughly: tags dropped, entities decoded, spaces collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&nbsp;', ' ')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ');
}

/** What the province leader must read in both parts. */
const KEY_FIGURES = [
  '2/3', // reported
  '1/3', // on time
  '66,7%', // completeness
  '33,3%', // timeliness
  'Dưới 80%',
  '54', // the province's score
  'giảm 39 điểm', // its change (93 → 54)
  '93', // c1
  '69', // c2
  '▲ 2', // c1 climbed from 3rd
  '▼ 2', // c3 fell from 1st
  '+9',
  '−26',
  '−100',
  'Xã 1',
  'Xã 2',
  'Xã 3',
  'Nộp muộn',
  'Quá hạn 8 ngày', // c3 did not report
  'Thôn 1 xã 1', // the "4 không" breach
  'Số vụ tai nạn giao thông nghiêm trọng',
  'Quý I/2027', // the previous period
  '07/07/2027', // due date, dd/mm/yyyy
];

const tmp = mkdtempSync(join(tmpdir(), 'thidua-digest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the leader's digest", () => {
  it('puts the key figures of the province in the subject, the HTML part and the text part', () => {
    // Prepare
    const args = provinceArgs();

    // Act
    const mail = renderDigest(args);

    // Assess
    expect(mail.subject).toBe('[thidua] Kết quả thi đua Quý II/2027 – Tỉnh P: 2/3 xã báo cáo, 0 đạt chỉ tiêu');
    const html = visibleText(mail.html);
    for (const figure of KEY_FIGURES) {
      expect(html, `HTML part: ${figure}`).toContain(figure);
      expect(mail.text, `text part: ${figure}`).toContain(figure);
    }
    // Ranking order, with the scores and the change of rank.
    expect(html.indexOf('Xã 1')).toBeLessThan(html.indexOf('Xã 2'));
    expect(mail.text).toMatch(/^1\s+Xã 1 \(vi phạm "4 không": 1\)\s+93 \(\+9\)\s+▲ 2\s+Đúng hạn, nộp 06\/07\/2027\s+5\/7$/m);
    expect(mail.text).toMatch(/^2\s+Xã 2\s+69 \(−26\)\s+=\s+Nộp muộn, nộp 09\/07\/2027, muộn 2 ngày\s+3\/7$/m);
    expect(mail.text).toMatch(/^3\s+Xã 3\s+0 \(−100\)\s+▼ 2\s+Chưa nộp, quá hạn 8 ngày\s+—$/m);
    // Bars: each indicator's achievement at the province level (10 of 15 members; 4 ÷ 4,625 for poverty).
    expect(mail.html).toContain('width="67%"');
    expect(mail.html).toContain('width="86%"');
    expect(mail.text).toContain('Thực hiện 10 người / chỉ tiêu 15 người');
    expect(mail.text).toContain('Thực hiện 4,63% / chỉ tiêu không quá 4%');
    expect(mail.text).toContain('[█████████████░░░░░░░] 67%');
  });

  it('keeps the HTML safe for mail clients and escapes every value', () => {
    // Prepare: names and a title that would be markup if not escaped.
    const args = provinceArgs();
    const hostile = structuredClone(args.results);
    hostile.units.c2!.name = 'Xã <b>2</b> & "Đông"';
    hostile.units['c1-v1']!.name = '<img src="http://evil.example/x.png">';
    const d = { ...directive, title: 'Phong trào <script>alert(1)</script>' };

    // Act
    const mail = renderDigest({ ...args, directive: d, results: hostile });

    // Assess
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).not.toMatch(/<img/i);
    expect(mail.html).not.toMatch(/src\s*=\s*["']?https?:/i);
    expect(mail.html).not.toMatch(/\bclass\s*=/i);
    expect(mail.html).not.toMatch(/<style|<link/i);
    expect(mail.html).toContain('Xã &lt;b&gt;2&lt;/b&gt; &amp; &quot;Đông&quot;');
    expect(mail.html).toContain('&lt;img src=&quot;http://evil.example/x.png&quot;&gt;');
    expect(mail.html).toContain('Phong trào &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.text).toContain('Xã <b>2</b> & "Đông"');
  });

  it("shows a commune's leader only the commune's own branch", () => {
    // Prepare
    const args = provinceArgs();

    // Act
    const mail = renderDigest({ ...args, leader: { unitId: 'c2', name: 'Xã 2' }, childIds: ['c2-v1', 'c2-v2', 'c2-v3'] });

    // Assess
    for (const part of [visibleText(mail.html), mail.text]) expect(part).toContain('Thôn 2 xã 2');
    for (const part of [mail.subject, visibleText(mail.html), mail.text]) {
      for (const other of ['Xã 1', 'Xã 3', 'xã 1', 'xã 3', 'Tỉnh P']) expect(part).not.toContain(other);
    }
    expect(mail.subject).toBe('[thidua] Kết quả thi đua Quý II/2027 – Xã 2: 1/1 xã báo cáo, đạt 3/7 chỉ tiêu');
    expect(mail.text).toContain('- Chỉ tiêu đạt: 3/7');
    expect(mail.text).toContain('- Điểm thi đua: 69 (−26 điểm so với Quý I/2027) – Xếp hạng 2/3');
    expect(mail.text).toMatch(/^Thôn 2 xã 2\s+7\/7 chỉ tiêu\s+Không$/m); // villages are listed, not ranked
    expect(mail.text).not.toContain('XẾP HẠNG');
    expect(mail.text).toContain('Không có thôn nào vi phạm tiêu chí "4 không".');
    expect(() => renderDigest({ ...args, leader: { unitId: 'c2', name: 'Xã 2' }, childIds: ['c1'] })).toThrow(/not a direct child/);
    expect(() => renderDigest({ ...args, leader: { unitId: 'p', name: 'Tỉnh P' }, childIds: ['c1-v1'] })).toThrow(/not a direct child/);
  });

  it('leaves out the comparison without a previous period', () => {
    // Prepare
    const args = { ...provinceArgs(), results: computeResults(q2Input()) };

    // Act
    const mail = renderDigest(args);

    // Assess
    expect(mail.text).not.toMatch(/So với|kỳ trước/);
    expect(mail.html).not.toContain('So với');
    expect(mail.text).toContain('5. VI PHẠM TIÊU CHÍ "4 KHÔNG"');
    expect(mail.text).not.toContain('6. ');
  });

  it('writes the full table as an XLSX workbook, one row per commune', async () => {
    // Prepare
    const args = provinceArgs();

    // Act
    const bytes = await digestWorkbook(args);

    // Assess
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet(DIGEST_XLSX_LAYOUT.sheet)!;
    const row = (n: number) => (ws.getRow(n).values as ExcelJS.CellValue[]).slice(1);
    const h = DIGEST_XLSX_LAYOUT.headerRow;
    const s = DIGEST_XLSX_LAYOUT.subHeaderRow;
    const first = DIGEST_XLSX_LAYOUT.firstDataRow;
    expect(row(h).slice(0, 7)).toEqual(['Hạng', 'Đơn vị', 'Tình trạng báo cáo', 'Ngày nộp', 'Tỷ lệ đầy đủ', 'Tỷ lệ đúng hạn', 'Điểm']);
    expect(ws.getCell(h, 11).value).toBe('Kết nạp đảng viên mới (người)');
    expect(ws.getCell(s, 11).value).toBe('Thực hiện');
    expect(ws.getCell(s, 12).value).toBe('Chỉ tiêu');
    expect(ws.getCell(s, 20).value).toBe('Chỉ tiêu (không quá)'); // ho-ngheo: decrease
    // [rank, name, status, submitted, completeness, timeliness, score, Δscore, Δrank, met, dv, dv target, gd, gd target, tq, tq target, cb, cb target, hn, hn target, tn, tn target, tp, tp target]
    expect(row(first)).toEqual([1, 'Xã 1', 'Đúng hạn, nộp 06/07/2027', '06/07/2027', 1, 1, 93, 9, 2, '5/7', 7, 6, 90, 90, 90, 100, 'Có', 'Có', 3, 3, 1, 0, 0, 0]);
    expect(row(first + 1)).toEqual([2, 'Xã 2', 'Nộp muộn, nộp 09/07/2027, muộn 2 ngày', '09/07/2027', 1, 0, 69, -26, 0, '3/7', 3, 4, 81, 90, 100, 100, 'Không', 'Có', 6.25, 5, 0, 0, 0, 0]);
    const c3 = row(first + 2);
    expect(c3.slice(0, 10)).toEqual([3, 'Xã 3', 'Chưa nộp, quá hạn 8 ngày', undefined, 0, 0, 0, -100, -2, undefined]);
    expect([c3[11], c3[13], c3[15]]).toEqual([5, 85, 100]); // targets stay, actuals empty
    expect(c3[10]).toBeUndefined();
    const total = row(first + 3);
    expect(total.slice(1, 8)).toEqual(['Toàn Tỉnh P', '2/3 đã nộp, 1 đúng hạn', undefined, 2 / 3, 1 / 3, 54, -39]);
    expect(total.slice(10, 12)).toEqual([10, 15]);
    expect(ws.getCell(first, 5).numFmt).toBe('0.0%');
    const fourNo = wb.getWorksheet(DIGEST_XLSX_LAYOUT.fourNoSheet)!;
    expect((fourNo.getRow(2).values as ExcelJS.CellValue[]).slice(1)).toEqual(['Thôn 1 xã 1', 'Xã 1', 'Số vụ tai nạn giao thông nghiêm trọng', 1]);
    expect(fourNo.rowCount).toBe(2);
  });

  it(
    'reads well in a real headless browser (and screenshots it)',
    async () => {
      // Prepare
      const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
      if (!existsSync(executablePath)) {
        throw new Error(`Chromium not found at ${executablePath}: this test renders the digest in a real browser. Install it (apt-get install chromium) or set CHROMIUM_PATH.`);
      }
      const mail = renderDigest(provinceArgs());
      const browser = await chromium.launch({
        executablePath,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 600, height: 900 }, deviceScaleFactor: 1 });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));

        // Act
        await page.setContent(mail.html, { waitUntil: 'load' });
        const body = await page.innerText('body');
        const overflow600 = await page.evaluate<number>('document.documentElement.scrollWidth');
        await page.setViewportSize({ width: 720, height: 900 });
        const png = join(tmp, 'digest.png');
        await page.screenshot({ path: png, fullPage: true });

        // Assess
        for (const figure of KEY_FIGURES) expect(body, `rendered: ${figure}`).toContain(figure);
        expect(requests, 'the digest loads nothing from the network').toEqual([]);
        expect(overflow600, 'no horizontal scrolling at 600 px').toBeLessThanOrEqual(600);
        const bytes = readFileSync(png);
        expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(bytes.readUInt32BE(16), 'PNG width').toBe(720);
        expect(bytes.readUInt32BE(20), 'PNG height').toBeGreaterThan(1200);
        expect(statSync(png).size).toBeGreaterThan(40_000);
        expect(statSync(png).size).toBeLessThan(5_000_000);
        if (process.env.UPDATE_DOCS_PNG === '1') {
          const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
          mkdirSync(docs, { recursive: true });
          copyFileSync(png, join(docs, 'digest.png'));
        }
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
