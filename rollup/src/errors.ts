// Every error of the rollup worker: a stable code, a message, and whether
// retrying can succeed. The README lists them all (a test keeps the two in step).
export const ERRORS = Object.freeze({
  ROLLUP_CONFIG_INVALID: { message: 'The configuration is invalid', retriable: false },
});

export type RollupErrorCode = keyof typeof ERRORS;

export class RollupError extends Error {
  override name = 'RollupError';
  readonly code: RollupErrorCode;
  readonly retriable: boolean;

  constructor(code: RollupErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERRORS[code].message}: ${detail}` : ERRORS[code].message, options);
    this.code = code;
    this.retriable = ERRORS[code].retriable;
  }
}
