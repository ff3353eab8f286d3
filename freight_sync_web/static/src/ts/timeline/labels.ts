/** Codes that report a problem rather than progress. */
export const EXCEPTION_CODES: ReadonlySet<string> = new Set(["exception", "rejected", "cancelled"]);
