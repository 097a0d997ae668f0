/**
 * Number formatting shared by the report, the summary table and the figures' labels, so
 * a value reads the same everywhere. Locale-independent by construction.
 *
 * @module
 */

/** Formats a relative error as a signed percentage, e.g. `+12%`, `-3.4%`, or `n/a`. */
export function formatRelError(relError: number | null): string {
  if (relError === null || !Number.isFinite(relError)) return "n/a";
  const percent = relError * 100;
  const text = percent.toFixed(Math.abs(percent) >= 10 ? 0 : 1);
  const zero = Number(text) === 0;
  return `${percent > 0 || zero ? "+" : ""}${zero ? text.replace("-", "") : text}%`;
}

/** Formats a value with four significant digits, without exponent or grouping (`12345`, `0.4567`). */
export function formatValue(value: number | null): string {
  if (value === null) return "—";
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= 4) return Math.round(value).toString();
  const decimals = Math.max(0, 3 - magnitude);
  return Number(value.toFixed(decimals)).toString();
}
