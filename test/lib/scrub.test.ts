/**
 * The run's scrubber: every form a server may echo a secret in, URL userinfo anywhere, and
 * scrubbing before cutting (a cut through a secret leaves a piece nothing can recognise).
 */
import { describe, expect, it } from "vitest";
import { boundedLine, echoedForms, MIN_SECRET_LENGTH, REDACTED, SecretScrubber, urlCredentials, withoutCredentials } from "../../src/lib/scrub.js";

const SECRET = 'tok+en/with"quote\\and space&é';

function scrubberWith(...values: string[]): SecretScrubber {
  const s = new SecretScrubber();
  for (const v of values) s.add(v);
  return s;
}

describe("SecretScrubber", () => {
  it.each([
    ["raw", SECRET],
    ["URL-encoded", encodeURIComponent(SECRET)],
    ["URL-encoded, lower-case hex", encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
    ["form-encoded", new URLSearchParams({ k: SECRET }).toString().slice(2)],
    ["JSON-escaped", JSON.stringify(SECRET).slice(1, -1)],
    ["JSON-escaped twice", JSON.stringify(JSON.stringify(SECRET)).slice(3, -3)],
    ["JSON-escaped, ASCII only", JSON.stringify(SECRET).slice(1, -1).replace("é", "\\u00e9")],
    ["HTML-escaped", SECRET.replace(/&/g, "&amp;").replace(/"/g, "&quot;")],
    ["base64", Buffer.from(SECRET).toString("base64")],
  ])("takes out the %s form", (_, form) => {
    const text = `server said: ${form} (end)`;
    expect(scrubberWith(SECRET).scrub(text)).toBe(`server said: ${REDACTED} (end)`);
  });

  it("takes out user:password of any URL in any text, and the registered Basic credentials", () => {
    const s = new SecretScrubber();
    s.addUrlCredentials("https://alice:pa55word@grafana.example/");
    const text = `cannot reach https://bob:other@x.example/api, sent Basic ${Buffer.from("alice:pa55word").toString("base64")} and pa55word`;
    expect(s.scrub(text)).toBe(`cannot reach https://${REDACTED}@x.example/api, sent Basic ${REDACTED} and ${REDACTED}`);
  });

  it("replaces the longest form first, and ignores values too short to scrub", () => {
    const s = scrubberWith("abcd", "abcdefgh", "abc");
    expect(s.scrub("abcdefgh abcd abc")).toBe(`${REDACTED} ${REDACTED} abc`);
    expect(MIN_SECRET_LENGTH).toBe(4);
  });

  it("scrubs every string of a JSON value and keeps it valid JSON", () => {
    const s = scrubberWith(SECRET);
    const doc = { a: [`x ${SECRET}`], [SECRET]: 1, n: 2 };
    const text = JSON.stringify(s.scrubJson(doc));
    expect(JSON.parse(text)).toEqual({ a: [`x ${REDACTED}`], [REDACTED]: 1, n: 2 });
    expect(echoedForms(SECRET).some((f) => text.includes(f))).toBe(false);
  });
});

describe("boundedLine", () => {
  it("scrubs before it cuts: a secret across the cut leaves no piece", () => {
    const secret = "SECRET-MARKER-0123456789abcdef";
    const s = scrubberWith(secret);
    for (let at = 150; at < 200; at++) {
      const line = boundedLine(`${".".repeat(at)}${secret} tail`, 180, s);
      expect(line.length).toBeLessThanOrEqual(180);
      expect(line).not.toContain("SECRET-M");
      expect(line).not.toContain(secret.slice(-8));
    }
  });
});

describe("URL credentials", () => {
  it("splits and strips user:password, keeping the rest of the URL", () => {
    expect(urlCredentials("https://u%40x:p%3Ass@h.example:3000/g")).toEqual({ user: "u@x", password: "p:ss" });
    expect(urlCredentials("https://h.example")).toBeUndefined();
    expect(withoutCredentials("https://u:p@h.example:3000/grafana?x=1")).toBe("https://h.example:3000/grafana?x=1");
    expect(withoutCredentials("http://u:p@127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(withoutCredentials("https://h.example")).toBe("https://h.example");
  });
});
