// Everything the rollup worker can fail at, with a stable code; the README
// lists them all (a test keeps the two in step). The class comes from the kit's
// error factory. A retriable failure pauses the partition and backs off
// without committing, so the bucket is recomputed again.
import { createErrors } from '@eventline/kit/errors';

export const ERRORS = {
  ROLLUP_INFLUX_UNAVAILABLE: {
    message: 'InfluxDB could not be reached or did not answer in time',
    status: 503,
    retriable: true,
  },
  ROLLUP_INFLUX_REFUSED: { message: 'InfluxDB refused the request', status: 503, retriable: true },
  ROLLUP_QUERY_FAILED: { message: 'InfluxDB could not run the statement', status: 500, retriable: true },
  ROLLUP_NOT_READY: { message: 'The rollup worker has not joined its group', status: 503, retriable: true },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export const RollupError = createErrors('RollupError', ERRORS);
export type RollupError = InstanceType<typeof RollupError>;
