/** The vmmlab version, written into trace headers and results. */
export const VERSION = "0.1.0";
