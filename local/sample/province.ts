import type { UnitRow } from '../../shared/domain/units.ts';
import { slugVi } from '../../shared/domain/text.ts';

/** Bình Thuận before the 2025 reform: province → district → commune → village, as in the seed documents. */
const DISTRICTS: { name: string; code: string; communes: string[] }[] = [
  {
    name: 'Huyện Hàm Thuận Bắc',
    code: 'htb',
    communes: [
      'Thị trấn Ma Lâm', 'Thị trấn Phú Long', 'Xã Hàm Trí', 'Xã Hàm Phú', 'Xã Hàm Hiệp', 'Xã Hàm Liêm', 'Xã Hàm Chính',
      'Xã Hàm Thắng', 'Xã Hàm Đức', 'Xã Hồng Sơn', 'Xã Hồng Liêm', 'Xã Thuận Hòa', 'Xã Thuận Minh', 'Xã Đông Tiến',
      'Xã Đông Giang', 'Xã La Dạ', 'Xã Đa Mi',
    ],
  },
  {
    name: 'Huyện Hàm Thuận Nam',
    code: 'htn',
    communes: [
      'Thị trấn Thuận Nam', 'Xã Hàm Mỹ', 'Xã Hàm Kiệm', 'Xã Hàm Cường', 'Xã Hàm Minh', 'Xã Thuận Quý', 'Xã Tân Thuận',
      'Xã Tân Thành', 'Xã Tân Lập', 'Xã Hàm Thạnh', 'Xã Mương Mán', 'Xã Mỹ Thạnh', 'Xã Hàm Cần',
    ],
  },
  {
    name: 'Huyện Bắc Bình',
    code: 'bb',
    communes: [
      'Thị trấn Chợ Lầu', 'Thị trấn Lương Sơn', 'Xã Hải Ninh', 'Xã Phan Rí Thành', 'Xã Hòa Thắng', 'Xã Hồng Thái',
      'Xã Sông Lũy', 'Xã Bình Tân', 'Xã Phan Thanh', 'Xã Phan Hòa', 'Xã Phan Hiệp', 'Xã Phan Điền', 'Xã Phan Lâm',
      'Xã Phan Sơn', 'Xã Bình An', 'Xã Sông Bình', 'Xã Hồng Phong',
    ],
  },
];

const VILLAGE_NAMES = [
  'Phú Sơn', 'Lập Hòa', 'Xuân Hòa', 'Đại Thiện', 'Nam Thành', 'Tân Hiệp', 'Phú Điền', 'Bình Lâm', 'Thắng Hòa',
  'Hiệp Nghĩa', 'Đông Thuận', 'Tiến Lợi', 'Lâm Giang', 'Hòa Thuận', 'Phú Hài', 'Đại Hòa', 'Văn Lâm', 'Thuận Lợi',
  'Kà Tơ', 'Lò To', 'Ku Kê', 'Minh Tiến', 'Tân Quang', 'Hồng Lâm',
];

const MAIL_DOMAIN = 'binhthuan.thidua.local';

/** About 47 communes and their 4 to 7 villages each, with officers' and leaders' addresses. */
export function sampleProvince(): UnitRow[] {
  const rows: UnitRow[] = [
    { id: 'binh-thuan', name: 'Tỉnh Bình Thuận', level: 'province', emails: [`vanphong.tinhuy@${MAIL_DOMAIN}`], leaderEmails: [`bithu.tinhuy@${MAIL_DOMAIN}`] },
  ];
  let seed = 7;
  for (const d of DISTRICTS) {
    const districtId = `bt-${d.code}`;
    rows.push({ id: districtId, name: d.name, level: 'district', parentId: 'binh-thuan', emails: [`noivu.${d.code}@${MAIL_DOMAIN}`], leaderEmails: [`chutich.${d.code}@${MAIL_DOMAIN}`] });
    for (const communeName of d.communes) {
      const slug = slugVi(communeName.replace(/^(Xã|Thị trấn) /, ''));
      const communeId = `${districtId}-${slug}`;
      rows.push({
        id: communeId,
        name: communeName,
        level: 'commune',
        parentId: districtId,
        emails: [`vanphong.${slug}.${d.code}@${MAIL_DOMAIN}`],
        leaderEmails: [`chutich.${slug}.${d.code}@${MAIL_DOMAIN}`],
      });
      const townLike = communeName.startsWith('Thị trấn');
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const villages = 4 + (seed % 4);
      for (let v = 0; v < villages; v++) {
        const name = townLike ? `Khu phố ${v + 1}` : `Thôn ${VILLAGE_NAMES[(seed + v * 5) % VILLAGE_NAMES.length]}`;
        const villageId = `${communeId}-${slugVi(name)}`;
        if (rows.some((r) => r.id === villageId)) continue;
        // Households and people: what weighted rates (poor households, health insurance) are weighted by.
        const households = 180 + ((seed >> (v + 3)) % 420);
        rows.push({ id: villageId, name, level: 'village', parentId: communeId, emails: [`truongthon.${slugVi(name)}.${slug}@${MAIL_DOMAIN}`], leaderEmails: [], households, population: households * 4 + ((seed >> v) % 97) });
      }
    }
  }
  return rows;
}

/** A synthetic province for benchmarks: `villages` villages, 20 to a commune. */
export function syntheticProvince(villages: number, id = 'bench'): UnitRow[] {
  const rows: UnitRow[] = [{ id, name: 'Tỉnh Thử Nghiệm', level: 'province', emails: [`vp@${id}.thidua.local`], leaderEmails: [] }];
  const communes = Math.ceil(villages / 20);
  for (let c = 0; c < communes; c++) {
    const communeId = `${id}-x${c}`;
    rows.push({ id: communeId, name: `Xã Thử Nghiệm ${c + 1}`, level: 'commune', parentId: id, emails: [`ubnd.x${c}@${id}.thidua.local`], leaderEmails: [] });
    for (let v = 0; v < 20 && c * 20 + v < villages; v++) {
      rows.push({ id: `${communeId}-t${v}`, name: `Thôn ${v + 1}`, level: 'village', parentId: communeId, emails: [`thon${v}.x${c}@${id}.thidua.local`], leaderEmails: [] });
    }
  }
  return rows;
}
