/**
 * The one place that knows every secret value of a run, and takes them out of any text that
 * leaves pipemon: messages, logs, plans (text, markdown, json, saved), reports.
 *
 * Secrets are registered where they are resolved (credentials, channel settings, `${VAR}`
 * values, the user:password of a URL), together with the forms a server may echo them in:
 * URL-encoded (as a path or a form), JSON-escaped (once or twice: a body quoted inside a
 * JSON string), HTML-escaped, base64. Text is scrubbed BEFORE it is cut to a length: a cut
 * through a secret leaves a piece that no scrubber can recognise afterwards (`boundedLine`).
 *
 * A CLI run is one process, so the run's scrubber is a module-level instance (`runSecrets`).
 */

/** What a secret is replaced with. */
export const REDACTED = "***";

/**
 * Shorter values are not scrubbed: a 3-character "secret" would be cut out of every word
 * that holds it, and a credential that short is no protection anyway.
 */
export const MIN_SECRET_LENGTH = 4;

/** `scheme://user:password@` or `scheme://token@`: the userinfo of any URL in any text. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>\\]+@/gi;

/** The forms of `value` a server, a proxy or a log may show. */
export function echoedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const asciiJson = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams([["", value]]).toString().slice(1);
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  const html = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  const base64 = Buffer.from(value, "utf8").toString("base64");
  return [
    ...new Set([
      value,
      uri,
      lowerHex(uri),
      form,
      lowerHex(form),
      json,
      asciiJson,
      json.replace(/\//g, "\\/"),
      JSON.stringify(json).slice(1, -1),
      html,
      base64,
      base64.replace(/=+$/, ""),
      Buffer.from(value, "utf8").toString("base64url"),
    ]),
  ];
}

/** user and password of a URL (decoded), or undefined when it has none or does not parse. */
export function urlCredentials(url: string): { user: string; password: string } | undefined {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return undefined;
    return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  } catch {
    return undefined;
  }
}

/** `text` with the user:password of every URL in it replaced. */
export const hideUrlCredentials = (text: string): string => text.replace(URL_USERINFO, `$1${REDACTED}@`);

/** The URL without user:password: what a link, a message or a saved plan may show. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    // URL adds a "/" to a bare origin; keep the caller's form otherwise.
    return url.endsWith("/") || u.pathname !== "/" ? u.toString() : u.toString().replace(/\/$/, "");
  } catch {
    return url.replace(URL_USERINFO, "$1");
  }
}

/**
 * Forms are indexed by their first MIN_SECRET_LENGTH characters: one map lookup per position
 * of the text finds every candidate, so thousands of secrets (a hostile spec full of literal
 * keys) cost no more than a few (a regex alternation of them took seconds to compile).
 */
export class SecretScrubber {
  private readonly forms = new Set<string>();
  /** Prefix → the forms starting with it, longest first. */
  private readonly byPrefix = new Map<string, string[]>();

  /** Registers a secret value (and its echoed forms). Empty and too short values are ignored. */
  add(value: string | undefined | null): void {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return;
    for (const form of echoedForms(value)) {
      if (form.length < MIN_SECRET_LENGTH || this.forms.has(form)) continue;
      this.forms.add(form);
      const prefix = form.slice(0, MIN_SECRET_LENGTH);
      const list = this.byPrefix.get(prefix) ?? [];
      const at = list.findIndex((other) => other.length < form.length);
      list.splice(at < 0 ? list.length : at, 0, form);
      this.byPrefix.set(prefix, list);
    }
  }

  /**
   * The credentials of a URL: the password, `user:password`, and the Basic auth header value
   * built from them. The user name alone is an account name, not a credential; it never
   * appears alone, since every URL is shown without its userinfo.
   */
  addUrlCredentials(url: string | undefined): void {
    const credentials = url === undefined ? undefined : urlCredentials(url);
    if (!credentials) return;
    this.add(credentials.password);
    this.add(`${credentials.user}:${credentials.password}`);
    // A user without a password is a token (https://<token>@host).
    if (!credentials.password) this.add(credentials.user);
  }

  /** How many forms are known (for tests and debugging; never the values). */
  get size(): number {
    return this.forms.size;
  }

  /** `text` with every known secret form and every URL's userinfo replaced. */
  scrub(text: string): string {
    let out = text;
    if (this.forms.size > 0) {
      const pieces: string[] = [];
      let from = 0;
      for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; ) {
        // Longest first, so a form that contains another is replaced whole.
        const hit = this.byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH))?.find((form) => text.startsWith(form, i));
        if (hit === undefined) {
          i++;
          continue;
        }
        pieces.push(text.slice(from, i), REDACTED);
        i += hit.length;
        from = i;
      }
      if (from > 0) out = pieces.join("") + text.slice(from);
    }
    return hideUrlCredentials(out);
  }

  /** Every string inside a JSON value scrubbed (keys included), the shape kept. */
  scrubJson<T>(value: T): T {
    if (typeof value === "string") return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.scrubJson(v)) as T;
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.scrub(k), this.scrubJson(v)])) as T;
  }
}

/** The scrubber of this run. */
export const runSecrets = new SecretScrubber();

export const scrubSecrets = (text: string): string => runSecrets.scrub(text);

/**
 * A server's message as one line of at most `max` characters: scrubbed first, then
 * whitespace collapsed, then cut (never the other way round).
 */
export function boundedLine(text: string, max: number, scrubber: SecretScrubber = runSecrets): string {
  const line = scrubber.scrub(text).replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
