/** The one ajv configuration of the spec schema, shared by runtime and build-time compilation. */
import { Ajv, type Options } from "ajv";
import { SCHEMA, SCHEMA_ID } from "./schema.js";

export const VALIDATOR_IDS = {
  Config: `${SCHEMA_ID}#/definitions/Config`,
  Pipeline: `${SCHEMA_ID}#/definitions/Pipeline`,
} as const;

export function createAjv(extra: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, ...extra });
  // `x-expect` carries the human wording of a rule; it is an annotation, not a check.
  ajv.addKeyword({ keyword: "x-expect", schemaType: "string" });
  ajv.addSchema(SCHEMA);
  return ajv;
}
