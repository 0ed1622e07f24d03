export * from './lunar.ts';
export * from './holidays.ts';
export * from './periods.ts';
export * from './adjustments.ts';
