import { describe, expect, it } from "vitest";
import { commonRouting, routingTree, type RoutedPipeline, type ScopeRoute } from "../../src/compile/routing-tree.js";
import type { Routing } from "../../src/model/types.js";

const routing = (r: Partial<Routing>): Routing => ({ critical: [], high: [], medium: [], low: [], ...r });
const pipe = (name: string, team: string, r: Partial<Routing>): RoutedPipeline => ({ name, team, routing: routing(r) });

const STANDARD = { critical: ["oncall", "alerts"], high: ["alerts"], medium: ["alerts"], low: ["email"] };

/** One line per route, so whole trees compare at a glance. */
function outline(routes: readonly ScopeRoute[]): string[] {
  return routes.map(
    (r) =>
      `${r.matchers.map((m) => `${m.label}=${m.value}`).join(",")}: ` +
      r.routes.map((d) => `${d.severity}->${d.channel}`).join(" "),
  );
}

describe("routingTree", () => {
  it("matches the managed label at the root and groups by alert, pipeline and severity", () => {
    const tree = routingTree([pipe("a", "t", STANDARD)]);
    expect(tree.kind).toBe("root");
    expect(tree.matchers).toEqual([{ label: "managed_by", value: "pipemon" }]);
    expect(tree.groupBy).toEqual(["alertname", "pipeline", "severity"]);
    expect(tree.continue).toBe(false);
  });

  it("sends a severity to several channels through sibling routes that continue", () => {
    const tree = routingTree([pipe("a", "t", STANDARD)]);
    expect(tree.routes).toHaveLength(1);
    const team = tree.routes[0]!;
    expect(team).toMatchObject({ kind: "team", team: "t", matchers: [{ label: "team", value: "t" }], continue: false });
    expect(team.routes.map((d) => [d.severity, d.channel, d.continue])).toEqual([
      ["critical", "oncall", true],
      ["critical", "alerts", true],
      ["high", "alerts", true],
      ["medium", "alerts", true],
      ["low", "email", true],
    ]);
    expect(team.routes[0]!.matchers).toEqual([{ label: "severity", value: "critical" }]);
  });

  it("keeps the channel order of the spec within a severity", () => {
    const [team] = routingTree([pipe("a", "t", { critical: ["zeta", "alpha", "mid"] })]).routes;
    expect(team!.routes.map((d) => d.channel)).toEqual(["zeta", "alpha", "mid"]);
  });

  it("gives a pipeline whose routing differs its own route, before its team's, which it stops", () => {
    const tree = routingTree([
      pipe("orders", "commerce", STANDARD),
      pipe("payments", "commerce", { ...STANDARD, critical: ["payments-oncall"] }),
      pipe("refunds", "commerce", STANDARD),
    ]);
    expect(outline(tree.routes)).toEqual([
      "pipeline=payments: critical->payments-oncall high->alerts medium->alerts low->email",
      "team=commerce: critical->oncall critical->alerts high->alerts medium->alerts low->email",
    ]);
    expect(tree.routes[0]).toMatchObject({ kind: "pipeline", pipeline: "payments", team: "commerce", continue: false });
  });

  it("takes the routing most pipelines of a team share as the team's", () => {
    const tree = routingTree([
      pipe("a", "t", { critical: ["x"] }),
      pipe("b", "t", { critical: ["y"] }),
      pipe("c", "t", { critical: ["y"] }),
    ]);
    expect(outline(tree.routes)).toEqual(["pipeline=a: critical->x", "team=t: critical->y"]);
  });

  it("breaks a tie with the lexicographically first pipeline, whatever the input order", () => {
    const members = [pipe("b", "t", { critical: ["y"] }), pipe("a", "t", { critical: ["x"] })];
    expect(outline(routingTree(members).routes)).toEqual(["pipeline=b: critical->y", "team=t: critical->x"]);
    expect(commonRouting([...members].sort((l, r) => (l.name < r.name ? -1 : 1))).critical).toEqual(["x"]);
  });

  it("treats routings listing the same channels in another order as the same routing", () => {
    const tree = routingTree([pipe("a", "t", { critical: ["x", "y"] }), pipe("b", "t", { critical: ["y", "x"] })]);
    expect(outline(tree.routes)).toEqual(["team=t: critical->x critical->y"]);
  });

  it("notifies a channel listed twice once", () => {
    const [team] = routingTree([pipe("a", "t", { critical: ["x", "x"] })]).routes;
    expect(team!.routes.map((d) => d.channel)).toEqual(["x"]);
  });

  it("has no delivery for a severity without channels", () => {
    const [team] = routingTree([pipe("a", "t", { critical: ["x"], low: [] })]).routes;
    expect(team!.routes.map((d) => d.severity)).toEqual(["critical"]);
  });

  it("sorts teams, and overrides by pipeline within each team", () => {
    const tree = routingTree([
      pipe("z2", "zeta", { critical: ["b"] }),
      pipe("z1", "zeta", { critical: ["a"] }),
      pipe("z3", "zeta", { critical: ["a"] }),
      pipe("m", "alpha", { high: ["c"] }),
      pipe("y", "mid", { low: ["d"] }),
      pipe("z0", "zeta", { critical: ["c"] }),
    ]);
    expect(outline(tree.routes)).toEqual([
      "team=alpha: high->c",
      "team=mid: low->d",
      "pipeline=z0: critical->c",
      "pipeline=z2: critical->b",
      "team=zeta: critical->a",
    ]);
  });

  it("is deterministic: the same tree for any input order, the same JSON every time", () => {
    const pipelines = [
      pipe("b", "t2", STANDARD),
      pipe("a", "t1", { critical: ["x"] }),
      pipe("c", "t1", STANDARD),
      pipe("d", "t1", STANDARD),
    ];
    const once = JSON.stringify(routingTree(pipelines));
    expect(JSON.stringify(routingTree(pipelines))).toBe(once);
    expect(JSON.stringify(routingTree([...pipelines].reverse()))).toBe(once);
  });

  it("has no routes without pipelines", () => {
    expect(routingTree([]).routes).toEqual([]);
  });
});
