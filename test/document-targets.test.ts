import { describe, expect, it } from 'vitest';
import { extractDocument, proposeIndicators } from '../shared/domain/document/index.ts';

describe('draft: target groups of new-countryside, poverty-reduction and cultural-village plans', () => {
  it('recognises each named target with its kind, measure and roll-up; a target it does not know is only named', () => {
    // Prepare: a district plan of my own naming the groups these plans set
    const text = [
      'KẾ HOẠCH',
      'THI ĐUA XÂY DỰNG NÔNG THÔN MỚI, GIẢM NGHÈO BỀN VỮNG NĂM 2024',
      '-----',
      '1. Giao các xã chỉ tiêu sau:',
      '(1) Số xã đạt chuẩn nông thôn mới nâng cao tăng thêm 2 xã;',
      '(2) Bình quân mỗi xã đạt thêm 1 tiêu chí nông thôn mới;',
      '(3) Thu nhập bình quân đầu người đạt 60 triệu đồng;',
      '(4) Tỷ lệ hộ nghèo đa chiều giảm 1,5%;',
      '(5) Tỷ lệ hộ cận nghèo giảm 1%;',
      '(6) Có 300 hộ thoát nghèo;',
      '(7) Tỷ lệ làng, bản đạt danh hiệu văn hóa từ 85% trở lên;',
      '(8) Nâng cấp nhà văn hóa thôn.',
    ].join('\n');

    // Act
    const indicators = proposeIndicators(extractDocument(text), text);

    // Assess
    const summary = indicators.map((i) => [i.group, i.id, i.kind, i.measure, i.aggregation]);
    expect(summary).toEqual([
      ['(1)', 'xa-nong-thon-moi', 'count', 'xã', 'sum'],
      ['(2)', 'tieu-chi-ntm', 'number', 'tiêu chí', 'mean'],
      ['(3)', 'thu-nhap-binh-quan', 'number', 'triệu đồng/người/năm', 'weighted-mean'],
      ['(4)', 'ngheo-da-chieu', 'percent', '%', 'weighted-mean'],
      ['(5)', 'ho-can-ngheo', 'percent', '%', 'weighted-mean'],
      ['(6)', 'thoat-ngheo', 'count', 'hộ', 'sum'],
      ['(7)', 'thon-van-hoa', 'percent', '%', 'mean'],
      ['(8)', 'nhom-8', null, null, null],
    ]);
    expect(indicators.filter((i) => i.recognised)).toHaveLength(7);
  });
});
