/** What compilers produce: files relative to the output tree (`generated/[<env>/]`). */
export interface OutputFile {
  /** POSIX path relative to `generated/[<env>/]`, e.g. `grafana/dashboards/orders-etl.json`. */
  path: string;
  content: string;
}
