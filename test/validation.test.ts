import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../shared/domain/errors.ts';
import { DirectiveInput } from '../shared/domain/directive.ts';
import { parseOrExplain } from '../shared/domain/validation.ts';

const sample = JSON.parse(readFileSync(new URL('../local/sample/directive-23-ct-tu-2027.json', import.meta.url), 'utf8')) as Record<string, unknown> & { indicators: Record<string, unknown>[] };

const refusal = (raw: unknown): InputError => {
  try {
    parseOrExplain(DirectiveInput, raw, 'Tệp chỉ thị');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected the directive file to be refused');
};

describe('a directive file explained to an officer', () => {
  it('names each missing field in words, not as a type', () => {
    // Prepare
    const { title: _title, issuedOn: _issuedOn, ...rest } = sample;
    const [first, ...others] = sample.indicators;
    const { measure: _measure, ...noMeasure } = first ?? {};

    // Act
    const error = refusal({ ...rest, indicators: [noMeasure, ...others] });

    // Assess
    expect(error.messageVi).toBe('Tệp chỉ thị không hợp lệ (3 lỗi)');
    expect(error.details).toEqual([
      'title: thiếu tên (trích yếu) của chỉ thị',
      'issuedOn: thiếu ngày ban hành',
      'indicators[0].measure: thiếu đơn vị tính của chỉ tiêu',
    ]);
  });

  it('says what was expected and what was written when a value has the wrong form', () => {
    // Act
    const error = refusal({
      ...sample,
      year: '2027',
      number: '',
      issuedOn: '20/11/2026',
      cadences: ['weekly'],
      targetUnits: { scope: 'all' },
      indicators: [{ ...sample.indicators[0], target: 'một trăm' }, { ...sample.indicators[1], kind: 'ratio' }],
    });

    // Assess
    expect(error.details).toEqual([
      'number: số, ký hiệu của văn bản không được để trống',
      'year: năm thi đua phải là một số, nhận được chữ "2027"',
      'issuedOn: ngày ban hành phải là một ngày dạng năm-tháng-ngày, ví dụ 2027-01-15; nhận được chữ "20/11/2026"',
      'targetUnits.scope: phạm vi giao chỉ tiêu "all" không hợp lệ; dùng một trong: "children"|"level"|"list"',
      'cadences[0]: kỳ báo cáo "weekly" không hợp lệ; dùng một trong: "monthly"|"quarterly"|"half-year"|"year"',
      'indicators[0].target: mục tiêu của chỉ tiêu phải là một số hoặc true/false, nhận được chữ "một trăm"',
      'indicators[1].kind: loại chỉ tiêu "ratio" không hợp lệ; dùng một trong: "number"|"percent"|"count"|"yes-no"',
    ]);
    expect(error.details.join('\n')).not.toMatch(/mong đợi|undefined|string/);
  });

  it('keeps the rules\' own messages', () => {
    // Act
    const error = refusal({ ...sample, indicators: [{ ...sample.indicators[0], target: 112 }, ...sample.indicators.slice(1)] });

    // Assess
    expect(error.details).toEqual(['indicators[0].target: tỷ lệ phải từ 0 đến 100, nhận được 112']);
  });
});
