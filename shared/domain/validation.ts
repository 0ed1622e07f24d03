import { z } from 'zod';
import { InputError } from './errors.ts';

const vi = z.locales.vi();

/** What each field of a file means to an officer, by path: "title", "indicators[].target", "deadline.days". */
export type FieldLabels = Readonly<Record<string, string>>;

const labelsOf = new WeakMap<z.ZodType, FieldLabels>();

/** Names the fields of a schema in plain Vietnamese, for the messages of `parseOrExplain`. Returns the schema. */
export function labelFields<S extends z.ZodType>(schema: S, labels: FieldLabels): S {
  labelsOf.set(schema, labels);
  return schema;
}

/** "indicators[2].target" from a zod path. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/** "indicators[].target": the path with its list positions left out, as labels are keyed. */
const labelKey = (path: readonly PropertyKey[]) => pathText(path.map((p) => (typeof p === 'number' ? -1 : p))).replaceAll('[-1]', '[]');

const TYPE_VI: Record<string, string> = {
  string: 'một đoạn chữ trong dấu ngoặc kép',
  number: 'một số',
  int: 'một số nguyên',
  bigint: 'một số nguyên',
  boolean: 'true hoặc false',
  array: 'một danh sách [ … ]',
  tuple: 'một danh sách [ … ]',
  object: 'một nhóm mục { … }',
  record: 'một nhóm mục { … }',
  date: 'một ngày',
  null: 'null',
};

const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** The value an officer wrote, in words: `chữ "2027"`, `số 3`, `một danh sách`. */
function received(input: unknown): string {
  if (input === null) return 'null';
  if (typeof input === 'string') return input.trim() ? `chữ "${short(input)}"` : 'chữ rỗng ""';
  if (typeof input === 'number') return `số ${input}`;
  if (typeof input === 'boolean') return String(input);
  if (Array.isArray(input)) return 'một danh sách';
  if (typeof input === 'object') return 'một nhóm mục { … }';
  return typeof input;
}

const literal = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

/**
 * Messages an officer understands: a missing field is "thiếu …" with what it is, a wrong type says what was expected
 * and what was written. Custom messages of the schema are kept (zod puts them first); other issues in zod's Vietnamese.
 */
function explain(labels: FieldLabels): z.core.$ZodErrorMap {
  return (iss) => {
    const label = labels[labelKey(iss.path ?? [])];
    const subject = label ? `${label} ` : '';
    const input = iss.input;
    switch (iss.code) {
      case 'invalid_type':
        if (input === undefined) return label ? `thiếu ${label}` : 'thiếu mục bắt buộc này';
        return `${subject}phải là ${TYPE_VI[iss.expected] ?? iss.expected}, nhận được ${received(input)}`;
      case 'too_small':
        if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? `${label ?? 'mục này'} không được để trống` : `${subject}cần ít nhất ${iss.minimum} ký tự`;
        if (iss.origin === 'array' || iss.origin === 'set') return `${label ?? 'danh sách'} cần ít nhất ${iss.minimum} mục`;
        if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint') {
          return `${subject}phải ${iss.inclusive ? `từ ${iss.minimum} trở lên` : `lớn hơn ${iss.minimum}`}, nhận được ${String(input)}`;
        }
        return undefined;
      case 'too_big':
        if (iss.origin === 'string') return `${subject}không được dài quá ${iss.maximum} ký tự`;
        if (iss.origin === 'array' || iss.origin === 'set') return `${label ?? 'danh sách'} có nhiều nhất ${iss.maximum} mục`;
        if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint') {
          return `${subject}phải ${iss.inclusive ? `không quá ${iss.maximum}` : `nhỏ hơn ${iss.maximum}`}, nhận được ${String(input)}`;
        }
        return undefined;
      case 'invalid_value': {
        const choices = iss.values.map(literal).join('|');
        return input === undefined ? `thiếu ${label ?? 'mục này'}; dùng một trong: ${choices}` : `${label ?? 'giá trị'} ${literal(input)} không hợp lệ; dùng một trong: ${choices}`;
      }
      case 'invalid_union': {
        if ('discriminator' in iss && iss.discriminator !== undefined && Array.isArray(iss.options)) {
          const choices = (iss.options as unknown[]).map(literal).join('|');
          const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[iss.discriminator as string] : undefined;
          return value === undefined ? `thiếu ${label ?? 'mục này'}; dùng một trong: ${choices}` : `${label ?? 'giá trị'} ${literal(value)} không hợp lệ; dùng một trong: ${choices}`;
        }
        if (input === undefined) return label ? `thiếu ${label}` : 'thiếu mục bắt buộc này';
        const expected = iss.errors.flatMap((branch) =>
          branch.length === 1 && branch[0]?.code === 'invalid_type' ? [branch[0].expected === 'boolean' ? 'true/false' : (TYPE_VI[branch[0].expected] ?? branch[0].expected)] : [],
        );
        if (expected.length === iss.errors.length && expected.length) return `${subject}phải là ${[...new Set(expected)].join(' hoặc ')}, nhận được ${received(input)}`;
        return undefined;
      }
      case 'invalid_format':
        if (iss.format === 'date') return `${subject}phải là một ngày dạng năm-tháng-ngày, ví dụ 2027-01-15; nhận được ${received(input)}`;
        if (iss.format === 'email') return `${subject}không phải địa chỉ email hợp lệ: ${received(input)}`;
        return undefined;
      default:
        return undefined;
    }
  };
}

/** Parses with Vietnamese messages; every problem becomes one line "field: what is wrong". */
export function parseOrExplain<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const friendly = explain(labelsOf.get(schema) ?? {});
  const result = schema.safeParse(value, { error: (iss) => friendly(iss) ?? vi.localeError(iss) });
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => `${pathText(i.path) || '(toàn bộ)'}: ${i.message}`);
  throw new InputError(`${what} không hợp lệ (${details.length} lỗi)`, details);
}
