// The read API's limits and the header that reports a cut export: plain values,
// so the UI bundle can share them without the schema library.
export const API_LIMITS = Object.freeze({
  /** Events per page when `limit` is omitted. */
  defaultPageSize: 50,
  /** Most events one page may hold. */
  maxPageSize: 500,
  /** Most rows one CSV export holds; a longer export is cut to the newest and says so (EXPORT_TRUNCATED_HEADER). */
  maxExportRows: 10_000,
  /** Entries of a top-N list when `limit` is omitted. */
  defaultTop: 10,
  maxTop: 100,
  /** Sessions with gaps listed by /api/completeness when `examples` is omitted. */
  defaultGapExamples: 10,
  maxGapExamples: 100,
  /** Most `filter` parameters of one read API v2 request. */
  maxFilters: 8,
});

/** Set to `true` on a CSV export that holds the newest `limit` events of a range with more. */
export const EXPORT_TRUNCATED_HEADER = 'x-eventline-export-truncated';
