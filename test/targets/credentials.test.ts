/**
 * Credentials in URLs and the run's secrets: user:password in the Grafana URL is Basic auth
 * (alone) and never a link; DD_HOST with credentials is refused without showing them; every
 * credential and channel value is known to the scrubber before anything is sent.
 */
import { describe, expect, it } from "vitest";
import { CredentialsError, registerRunSecrets } from "../../src/targets/credentials.js";
import { datadogCredentials } from "../../src/targets/datadog/credentials.js";
import { grafanaCredentials } from "../../src/targets/grafana/credentials.js";
import { connect } from "../../src/app/connect.js";
import { RequestStats } from "../../src/app/live-state.js";
import { runSecrets } from "../../src/lib/scrub.js";
import type { Json } from "../../src/plan/resource.js";
import { project } from "../fixtures/model.js";

const lookup = (vars: Record<string, string>) => (name: string) => vars[name];

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("credentials in URLs", () => {
  it("GRAFANA_URL with user:password and no token: Basic auth, named as such", () => {
    const c = grafanaCredentials(project(), lookup({ GRAFANA_URL: "https://admin:s3cret-pw@grafana.example/" }));
    expect(c.token).toBe("");
    expect(c.url).toBe("https://admin:s3cret-pw@grafana.example");
    expect(c.tokenVariable).toBe("the user:password in GRAFANA_URL");
  });

  it("GRAFANA_URL with user:password and a token: refused, naming both variables and no value", () => {
    const e = thrown(() => grafanaCredentials(project(), lookup({ GRAFANA_URL: "https://admin:s3cret-pw@grafana.example", GRAFANA_TOKEN: "glsa_tok3n" })));
    expect(e).toBeInstanceOf(CredentialsError);
    expect(e.message).toMatch(/GRAFANA_URL carries user:password \(not shown\) and GRAFANA_TOKEN is set too/);
    expect(e.message).not.toMatch(/s3cret|admin|tok3n/);
  });

  it("DD_HOST with user:password: refused without showing it, with or without a scheme", () => {
    for (const host of ["https://u:s3cret-pw@dd.example", "u:s3cret-pw@dd.example"]) {
      const e = thrown(() => datadogCredentials(project(), lookup({ DD_API_KEY: "k-1234", DD_APP_KEY: "a-1234", DD_HOST: host })));
      expect(e).toBeInstanceOf(CredentialsError);
      expect(e.message).toMatch(/^datadog: DD_HOST carries user:password \(not shown\)/);
      expect(e.message).not.toContain("s3cret");
    }
  });

  it("monitor messages link to the Grafana URL without its user:password", async () => {
    const env = lookup({ GRAFANA_URL: "https://admin:s3cret-link@grafana.example/", DD_API_KEY: "k-1234", DD_APP_KEY: "a-1234" });
    const { handlers } = await connect(project(), "datadog", env, new RequestStats());
    const body: Json = { message: "Dashboard: ${GRAFANA_URL}/d/pm-x", tags: [] };
    const text = JSON.stringify(handlers[0]!.normalise(body, "desired"));
    expect(text).toContain("https://grafana.example/d/pm-x");
    expect(text).not.toMatch(/s3cret|admin/);
  });
});

describe("registerRunSecrets", () => {
  it("knows the token, the keys, URL credentials and every channel value before anything is sent", () => {
    const vars = {
      GRAFANA_TOKEN: "tok-9f1e2d",
      DD_API_KEY: "api-9f1e2d",
      DD_APP_KEY: "app-9f1e2d",
      GRAFANA_URL: "https://gu:gpass-9f1e2d@g.example",
      DD_HOST: "https://du:dpass-9f1e2d@d.example",
      PD_DATA_ONCALL_KEY: "pd-9f1e2d",
      SLACK_DATA_ALERTS_WEBHOOK: "https://hooks.example/slack-9f1e2d",
    };
    registerRunSecrets(project(), lookup(vars));
    const text = Object.values(vars).join(" | ");
    const scrubbed = runSecrets.scrub(text);
    expect(scrubbed).not.toMatch(/9f1e2d/);
  });
});
