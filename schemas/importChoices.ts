// What the import form's selects offer (its page builds them from these lists; schemas/import.ts
// accepts exactly these values). Apart from the schema so that the page ships without zod.

/** What the import's format select offers, in order. NucleusID's own exports use Bitwarden's layouts
 *  (CSV and JSON): "NucleusID" reads either, by the file's content. */
export const IMPORT_FORMATS = [
  { value: 'detect', label: 'Detect from the file' },
  { value: 'nucleusid', label: 'NucleusID' },
  { value: 'bitwarden', label: 'Bitwarden (CSV)' },
  { value: 'bitwardenjson', label: 'Bitwarden (JSON)' },
  { value: 'chrome', label: 'Chrome, Chromium or Edge' },
  { value: 'firefox', label: 'Firefox' },
  { value: 'lastpass', label: 'LastPass' },
  { value: 'keepassxc', label: 'KeePassXC' },
  { value: '1password', label: '1Password 8' },
] as const

export type ImportFormatChoice = (typeof IMPORT_FORMATS)[number]['value']

/** The import's folder choice. keep: the file's folder column picks (or creates) folders; single:
 *  everything into folder_id. */
export const FOLDER_MODES = [
  { value: 'keep', label: 'Keep the folders from the file' },
  { value: 'single', label: 'Put everything into the chosen folder' },
] as const
