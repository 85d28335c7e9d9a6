/**
 * Domain errors. `message` is Simplified Chinese (shown to staff as is);
 * `code` is a stable English identifier for programs and logs.
 */
export class DomainError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** Invalid input such as a malformed date or an impossible argument. */
export class DomainInputError extends DomainError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'DomainInputError';
  }
}
