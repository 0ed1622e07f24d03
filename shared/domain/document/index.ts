export * from './normalize.ts';
export * from './extract.ts';
