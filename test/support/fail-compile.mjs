/**
 * Test-only fault injection, loaded with `NODE_OPTIONS=--import=<this file>` into the real CLI
 * (and, by Node, into each of its worker threads): serialising the Grafana dashboard of the
 * pipeline named by PIPEMON_TEST_FAIL_PIPELINE throws, as a compiler bug would. pipemon itself
 * has no hook for this: the fault comes from outside, through a global the compilers use.
 */
const target = process.env.PIPEMON_TEST_FAIL_PIPELINE;
if (target) {
  const stringify = JSON.stringify;
  JSON.stringify = function (value, ...rest) {
    if (value !== null && typeof value === "object" && value.uid === `pm-${target}` && Array.isArray(value.panels)) {
      throw new TypeError(`injected fault while compiling ${target}`);
    }
    return stringify.call(this, value, ...rest);
  };
}
