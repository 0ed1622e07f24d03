import { z } from 'zod';
import { InputError } from '../app/errors.ts';

const vi = z.locales.vi();

/** "indicators[2].target" from a zod path. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/** Parses with Vietnamese messages; every problem becomes one line "field: what is wrong". */
export function parseOrExplain<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { error: vi.localeError });
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => `${pathText(i.path) || '(toàn bộ)'}: ${i.message}`);
  throw new InputError(`${what} không hợp lệ (${details.length} lỗi)`, details);
}
