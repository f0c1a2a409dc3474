/**
 * What Prometheus prints for an alert's value: Go's `%.4g` and the template functions
 * `humanize`, `humanizePercentage` and `humanizeDuration` (prometheus/template), so the
 * expected annotations of a generated unit test are the text promtool renders, computed
 * from the value the test puts into the expression — not copied from promtool's output.
 */

/**
 * Go's `strconv.FormatFloat(v, 'g', 4, 64)` / `fmt.Sprintf("%.4g", v)`: four significant
 * digits, ties to even on the exact binary value, trailing zeros dropped, `%e` form (two-digit
 * exponent at least) when the exponent is below -4 or at least 4.
 */
export function goG4(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const neg = v < 0;
  const { digits, point } = roundDigits(Math.abs(v), 4);
  const exp = point - 1;
  const eprec = 4 > digits.length && digits.length >= point ? digits.length : 4;
  let body: string;
  if (exp < -4 || exp >= eprec) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    body = `${mantissa}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  } else if (point <= 0) {
    body = `0.${"0".repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    body = digits + "0".repeat(point - digits.length);
  } else {
    body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return neg ? `-${body}` : body;
}

/**
 * The decimal digits of `v` (> 0) rounded to `precision` significant digits, ties to even,
 * trailing zeros trimmed; `point` is where the decimal point goes (value = 0.digits × 10^point).
 */
function roundDigits(v: number, precision: number): { digits: string; point: number } {
  // 40 correctly rounded digits tell an exact tie apart from a near one for every double
  // that can be a tie at 4 digits (such a value has a short exact decimal expansion).
  const [mant, expText] = v.toExponential(40).split("e") as [string, string];
  const all = mant.replace(".", "");
  let point = Number(expText) + 1;
  let kept = all.slice(0, precision).split("").map(Number);
  const rest = all.slice(precision);
  const first = Number(rest[0]);
  const tie = first === 5 && /^0*$/.test(rest.slice(1));
  const up = first > 5 || (first === 5 && !tie) || (tie && kept[kept.length - 1]! % 2 === 1);
  if (up) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === 9) kept[i--] = 0;
    if (i < 0) {
      kept = [1, ...kept.slice(0, precision - 1)];
      point += 1;
    } else kept[i]! += 1;
  }
  return { digits: kept.join("").replace(/0+$/, "") || "0", point };
}

const BIG = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
const SMALL = ["m", "u", "n", "p", "f", "a", "z", "y"];

/** Prometheus's `humanize`: SI prefixes, four significant digits. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG4(v);
  let prefix = "";
  if (Math.abs(v) >= 1) {
    for (const p of BIG) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return goG4(v) + prefix;
  }
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return goG4(v) + prefix;
}

/** Prometheus's `humanizePercentage`: a ratio as a percentage. */
export function humanizePercentage(v: number): string {
  return `${goG4(v * 100)}%`;
}

/** Prometheus's `humanizeDuration`: `1d 2h 3m 4s`, `45.5s`, `500ms`. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return goG4(v);
  if (v === 0) return "0s";
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? "-" : "";
    const abs = Math.abs(v);
    const whole = Math.trunc(abs);
    const seconds = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG4(abs)}s`;
  }
  let prefix = "";
  for (const p of SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}s`;
}

const FUNCTIONS: Readonly<Record<string, (v: number) => string>> = { humanize, humanizePercentage, humanizeDuration };

/**
 * Expands the Go template actions pipemon's annotations use: `{{ fn $value }}`,
 * `{{ $value | fn }}` with fn one of the humanize functions, and `{{ $labels.name }}`.
 * Anything else throws: an expected annotation must never be a guess.
 */
export function expandTemplate(text: string, value: number, labels: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, action: string) => {
    let m = /^(\w+)\s+\$value$/.exec(action) ?? /^\$value\s*\|\s*(\w+)$/.exec(action);
    if (m) {
      const fn = FUNCTIONS[m[1]!];
      if (!fn) throw new Error(`unsupported template function in ${whole}`);
      return fn(value);
    }
    m = /^\$labels\.(\w+)$/.exec(action);
    if (m) return labels[m[1]!] ?? "";
    throw new Error(`unsupported template action ${whole}`);
  });
}
