/** The registry's version as the UI shows it; a unit test keeps it equal to package.json's. */
export const STRATUS_VERSION = '0.1.0';
