/**
 * The Grafana contract (test/contracts/grafana) as test oracles: the foundation SDK's
 * JSON Schemas and the provisioning API's swagger document.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";

const CONTRACT = new URL("../../../contracts/grafana/", import.meta.url);

export function readContract(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, CONTRACT), "utf8"));
}

type SchemaDocument = { definitions: Record<string, { required?: string[] }> };

let ajv: Ajv | undefined;
function schemas(): Ajv {
  if (ajv) return ajv;
  // validateSchema off: common.jsonschema.json has a duplicate enum item (schemas/SOURCES.md).
  ajv = new Ajv({ validateSchema: false, strict: false, allErrors: true, logger: false });
  for (const name of ["dashboard", "common", "timeseries", "stat", "gauge", "table", "prometheus"]) {
    ajv.addSchema(readContract(`schemas/${name}.jsonschema.json`) as object, name);
  }
  const alerting = readContract("schemas/alerting.jsonschema.json") as SchemaDocument;
  // orgID is server-owned: Grafana takes it from the caller's token, so bodies leave it out.
  const rule = alerting.definitions.Rule!;
  rule.required = rule.required!.filter((field) => field !== "orgID");
  ajv.addSchema(alerting, "alerting");
  return ajv;
}

/** A validator for `<schema>#/definitions/<name>`, e.g. `dashboard`, `Dashboard`. */
export function validator(schema: string, definition: string): ValidateFunction {
  const v = schemas().getSchema(`${schema}#/definitions/${definition}`);
  if (!v) throw new Error(`no schema ${schema}#/definitions/${definition}`);
  return v;
}

export function swaggerDefinition(name: string): { required?: string[]; properties: Record<string, { enum?: string[]; maxLength?: number; pattern?: string }> } {
  const doc = readContract("api-subset.grafana-11.4.0.swagger.json") as { definitions: Record<string, never> };
  const def = doc.definitions[name];
  if (!def) throw new Error(`no swagger definition ${name}`);
  return def;
}

/** Grafana's uid rule (README: "uid ≤ 40 characters of [a-zA-Z0-9-_]"). */
export const UID = /^[a-zA-Z0-9-_]{1,40}$/;
