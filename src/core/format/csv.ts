/** Tidy CSV (RFC 4180): one header row, one row per record, comma-separated, '\n' line ends. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

/** A text that a spreadsheet would read as a number, which it is safe to leave as it is ("-30", "1e-3"). */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Text cells that begin with = + - @ (or a tab or carriage return) are formulas to a spreadsheet
 * (Excel, LibreOffice, Google Sheets): a PatientID or a rater's name from outside could run one. As
 * OWASP advises for CSV injection, such a cell gets a leading apostrophe, which spreadsheets show as
 * text. Numbers are never touched: they are written from number values, and a text that is a plain
 * number ("-30") stays as it is.
 */
export function neutraliseFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

/** Empty for null/undefined; numbers in full precision (shortest round-trip form); text quoted when needed and never a formula. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = neutraliseFormula(Array.isArray(v) ? v.join(' ') : String(v));
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
