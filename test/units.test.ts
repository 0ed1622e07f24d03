import { describe, expect, it } from 'vitest';
import { parseUnitsCsv, unitsToCsv } from '../shared/domain/units-csv.ts';
import { buildPaths, HierarchyError } from '../shared/domain/units.ts';
import { InputError } from '../shared/app/errors.ts';
import { foldVi } from '../shared/domain/text.ts';
import { sampleProvince } from '../local/sample/province.ts';

const refusal = (text: string): InputError => {
  try {
    parseUnitsCsv(text);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected the file to be refused');
};

describe('units CSV', () => {
  it('reads English or Vietnamese headers, a BOM, quotes and several addresses per cell', () => {
    // Prepare
    const text = '\uFEFFma,ten,cap,ma_cap_tren,email,email_lanh_dao\r\nbt,Tỉnh Bình Thuận,tỉnh,,vp@bt.vn,\r\nbt-x1,"Xã Hàm Liêm, Hàm Thuận Bắc",xã,bt,a@bt.vn;b@bt.vn,ct@bt.vn\r\n';

    // Act
    const rows = parseUnitsCsv(text);

    // Assess
    expect(rows).toEqual([
      { id: 'bt', name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@bt.vn'], leaderEmails: [], line: 2 },
      { id: 'bt-x1', name: 'Xã Hàm Liêm, Hàm Thuận Bắc', level: 'commune', parentId: 'bt', emails: ['a@bt.vn', 'b@bt.vn'], leaderEmails: ['ct@bt.vn'], line: 3 },
    ]);
  });

  it('names the line and the problem of every bad row, and accepts none of the file', () => {
    // Prepare
    const text = ['id,name,level,parent_id,emails', 'bt,Tỉnh Bình Thuận,province,,', 'Bt X1,Xã A,commune,bt,', 'bt-x2,,ấp,bt,not-an-email', 'bt,Trùng,commune,,'].join('\n');

    // Act
    const error = refusal(text);

    // Assess
    expect(error.messageVi).toBe('Tệp đơn vị có 5 lỗi, chưa nhập đơn vị nào');
    expect(error.details).toEqual([
      'Dòng 3: mã "Bt X1" chỉ được gồm chữ thường không dấu, số và dấu gạch ngang',
      'Dòng 4: thiếu tên đơn vị',
      'Dòng 4: cấp "ấp" không hợp lệ; dùng một trong: tỉnh, huyện, xã, thôn (hoặc province, district, commune, village)',
      'Dòng 4: địa chỉ email "not-an-email" không hợp lệ',
      'Dòng 5: mã "bt" đã có ở dòng 2',
    ]);
  });

  it('refuses a file without the required columns', () => {
    expect(refusal('ten,cap\nTỉnh,tỉnh').messageVi).toBe('Dòng 1: thiếu cột id');
    expect(refusal('id,name\nbt,Tỉnh').messageVi).toBe('Dòng 1: thiếu cột level');
  });

  it('builds materialized paths in any order and rejects cycles and missing parents', () => {
    const rows = parseUnitsCsv('id,name,level,parent_id\nv,Thôn 1,village,c\nc,Xã A,commune,p\np,Tỉnh,province,\n');
    expect(Object.fromEntries(buildPaths(rows).map((u) => [u.id, u.path]))).toEqual({ v: ['p', 'c', 'v'], c: ['p', 'c'], p: ['p'] });
    expect(() => buildPaths(parseUnitsCsv('id,name,level,parent_id\na,A,commune,b\nb,B,commune,a\n'))).toThrow(HierarchyError);
    expect(() => buildPaths(parseUnitsCsv('id,name,level,parent_id\na,A,commune,zz\n'))).toThrow(/"zz".*không có trong tệp/);
  });

  it('round-trips the sample province through CSV', () => {
    const rows = sampleProvince();
    const back = parseUnitsCsv(unitsToCsv(rows)).map(({ line: _line, ...r }) => r);
    expect(back).toEqual(rows);
    expect(rows.filter((r) => r.level === 'commune').length).toBeGreaterThanOrEqual(30);
    expect(foldVi('Xã Hàm Đức')).toBe('xa ham duc');
  });
});
