export * from './normalize.ts';
export * from './extract.ts';
export * from './fingerprint.ts';
export * from './draft.ts';
export * from './read.ts';
