/**
 * An input that no retry can fix (malformed message, unknown directive version): it goes straight to the
 * dead-letter queue with this reason instead of being retried until the redrive policy moves it.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Bad input from a person: `messageVi` tells the officer what to fix; `details` lists each problem. */
export class InputError extends Error {
  constructor(
    readonly messageVi: string,
    readonly details: string[] = [],
  ) {
    super(messageVi);
    this.name = 'InputError';
  }
}
