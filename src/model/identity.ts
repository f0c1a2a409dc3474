import { boundedUid } from "../lib/uid.js";
import type { AlertKey } from "./types.js";

/** Identity rules of DESIGN §5: everything live is found from names in the spec, never a state file. */
export const MANAGED_BY_LABEL = "managed_by";
export const MANAGED_BY_VALUE = "pipemon";

export const folderUid = (team: string): string => boundedUid(`pipemon-${team}`);
export const dashboardUid = (pipeline: string): string => boundedUid(`pm-${pipeline}`);
export const teamDashboardUid = (team: string): string => boundedUid(`pm-team-${team}`);
export const ruleGroupName = (pipeline: string): string => pipeline;
export const ruleUid = (pipeline: string, alert: AlertKey, level: "critical" | "warning"): string =>
  boundedUid(`pm-${pipeline}-${alert}-${level === "critical" ? "c" : "w"}`);
export const contactPointName = (channel: string): string => `pipemon-${channel}`;
export const contactPointUid = (channel: string): string => boundedUid(`pm-cp-${channel}`);
export const datadogIdTag = (pipeline: string, alert: AlertKey): string => `pipemon-id:${pipeline}/${alert}`;
