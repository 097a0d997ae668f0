/**
 * Text from input (workload names, descriptions, file content quoted in an error) made
 * safe to print on a terminal: control characters, which a crafted trace could use to
 * clear the screen or rewrite earlier lines, are shown as `\xNN` escapes.
 *
 * @module
 */

// C0 controls but tab and newline, DEL, and C1 controls (ESC is \x1b, CSI is \x9b):
// matching control characters is this expression's purpose.
// deno-lint-ignore no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `text` with every control character but tab and newline written as `\xNN`. */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * `text` as one printable line of at most `max` characters: controls escaped, line breaks
 * written as `\n`, and the rest cut with an ellipsis (an error quotes input, never floods).
 */
export function printableLine(text: string, max = 2000): string {
  const line = printable(text).replaceAll("\t", "\\t").replaceAll("\n", "\\n");
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
