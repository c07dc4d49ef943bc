/**
 * The formats measurements are exported in: the command line's --format (the first is its default),
 * the app's export and the export:write channel all read this list.
 */
export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
