/**
 * The query parameter of an upload Location that carries the session's secret (named as distribution names
 * its own). The core mints and checks secrets (core/uploads/session-access.ts); the Authorizer only lets a
 * request without credentials that presents one through to that check.
 */
export const SESSION_SECRET_PARAM = '_state';
