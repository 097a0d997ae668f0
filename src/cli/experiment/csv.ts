/**
 * CSV output (RFC 4180): quoted only where needed, numbers written as JavaScript prints
 * them, so a table is byte-identical whenever its values are.
 *
 * @module
 */

/** A CSV cell: text, a number, or empty. */
export type Cell = string | number | boolean | null | undefined;

/**
 * One cell's text, quoted when it contains a comma, quote or line break. A text cell that
 * a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a
 * carriage return; names come from traces and platform files) is prefixed with `'`, which
 * spreadsheets show as text; numbers are written as they are, negative ones included.
 */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV document with a header row and CRLF-free line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n") + "\n";
}
