/**
 * The checker's one exception: thrown inside a case (or by the connections a case
 * drives: http.ts, ws-conn.ts) to end it as Fail with a reason.
 *
 * A leaf, so that the connection code need not import the case types, which name
 * the case context, which drives those connections.
 */

/** Thrown inside a case to end it as Fail with a reason (a broken answer, a timeout). */
export class CaseFailure extends Error {}
