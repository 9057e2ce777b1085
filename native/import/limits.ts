/**
 * Hard limits on what an import reads. Imports take files from anywhere; every limit here keeps a
 * hostile or broken file from exhausting memory or time, and each one yields a per-file error.
 */
export const IMPORT_LIMITS = {
  /** Largest single document file (Markdown, HTML, DOCX, PDF, text). */
  maxDocumentBytes: 50 * 1024 * 1024,
  /** Largest text body kept for one document after extraction. */
  maxBodyChars: 5_000_000,
  /** Largest front-matter block. */
  maxFrontMatterBytes: 64 * 1024,
  /** Largest JSON, CSV or XML export read whole (Jira, GitHub, PagerDuty, ServiceNow...). */
  maxExportBytes: 100 * 1024 * 1024,
  /** Total uncompressed bytes an archive (DOCX, Slack ZIP) may expand to. Read entry by entry, never all at once. */
  maxArchiveExpandedBytes: 2 * 1024 * 1024 * 1024,
  /** A ZIP inside a ZIP (the parts of Notion's export download) is read into memory: at most this. */
  maxNestedArchiveBytes: 512 * 1024 * 1024,
  /** Largest compression ratio of one archive entry before it is treated as a zip bomb. */
  maxCompressionRatio: 200,
  /** Entries in one archive (a Slack export of ten years of 500 channels has ~200,000 day files). */
  maxArchiveEntries: 250_000,
  /** Pages read from one PDF. */
  maxPdfPages: 2_000,
  /** Files one import walks (a guard against importing "/" by mistake). */
  maxFilesPerImport: 200_000,
} as const;
