/**
 * Where generate writes: its default --out and the schema's path inside it. A module of its
 * own so that `init` (which points spec modelines at the schema) and the CLI's option default
 * read them without loading generate and every compiler behind it.
 */
export const DEFAULT_OUT = "generated";
export const SCHEMA_PATH = "schema/pipemon.schema.json";
