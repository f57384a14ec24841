// One error type for infrastructure problems: a single line saying what is wrong
// and how to fix it, so scripts never fail with a stack trace or hang silently.

export class InfraError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly fix?: string,
  ) {
    super(fix ? `${message} — ${fix}` : message);
    this.name = 'InfraError';
  }
}
