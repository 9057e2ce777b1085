/**
 * Values trackers put in a field that has no value. They are data, not people or services:
 * "Unassigned" as an assignee, "None" as a priority, "-" in a CSV cell. Lower case, compared after
 * trimming and lower-casing. Extend the list (it is data) when a tracker in another language
 * writes a new one; each entry says what writes it.
 */
export const PLACEHOLDER_VALUES: readonly string[] = [
  // Generic, in any export
  '', '-', '--', '—', '?', 'n/a', 'na', 'n.a.', 'none', '(none)', '<none>', 'null', '(null)', 'nil', 'undefined', 'empty', '(empty)', 'tbd', 'unknown',
  // Jira (English UI and the "Unassigned" pseudo-user), GitHub/GitLab, PagerDuty
  'unassigned', '(unassigned)', 'no one', 'nobody', 'not assigned', 'no assignee', 'automatic', 'no priority', 'no component',
  // Jira in other languages: Unassigned / None
  'не назначено', 'не назначен', 'нет', 'отсутствует', // ru
  'nicht zugewiesen', 'nicht zugeordnet', 'keine', 'kein', 'kein wert', 'keine angabe', // de ("Kein Wert" = "no value", seen in German tracker exports)
  'non assigné', 'non attribué', 'non affecté', 'aucun', 'aucune', // fr
  'sin asignar', 'no asignado', 'ninguno', 'ninguna', // es
  'non assegnato', 'nessuno', // it
  'não atribuído', 'sem atribuição', 'nenhum', // pt
  'niet toegewezen', 'geen', // nl
  'nie przypisano', 'nieprzypisane', 'brak', // pl
  'nepřiřazeno', 'žádný', // cs
  'atanmamış', 'yok', // tr
  'ikke tildelt', 'ingen', 'ej tilldelad', 'inte tilldelad', 'ei määritetty', // da/no, sv, fi
  '未割り当て', 'なし', // ja
  '未分配', '未指派', '无', '無', // zh
  '미할당', '할당되지 않음', '없음', // ko
  'غير مسند', // ar
  'לא הוקצה', // he
];

const PLACEHOLDERS = new Set(PLACEHOLDER_VALUES);

/** True for a value that says "nothing here" rather than naming something. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDERS.has(value.trim().toLowerCase().replace(/\s+/g, ' '));
}

/**
 * Machine identifiers that trackers write where a person's name would be: they name nobody a
 * reader would recognise, and two exports of one person would disagree on them.
 */
const MACHINE_IDS: readonly RegExp[] = [
  /^[0-9a-f]{32}$/i, // ServiceNow sys_id
  /^JIRAUSER\d+$/i, // Jira Data Center user key
  /^\d{5,7}:[0-9a-f-]{20,}$/i, // Atlassian Cloud account id "557058:f58131cb-…"
  /^[0-9a-f]{24}$/i, // Atlassian account id (older form), Mongo-style ids
  /^qm:[0-9a-f-]+:[0-9a-f-]+$/i, // Atlassian app accounts
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-\d+)?$/i, // UUIDs (Opsgenie ids)
  /^P(?=[A-Z0-9]*\d)[A-Z0-9]{6}$/, // PagerDuty object ids (PXPGF42)
  /^\d+$/, // numeric user ids (Zendesk requester_id, GitLab author_id)
];

export function isMachineId(value: string): boolean {
  const v = value.trim();
  return MACHINE_IDS.some((re) => re.test(v));
}

/**
 * Accounts that stand for a team's queue or board, not a person, in the assignee or reporter
 * field: the "Backlog - <team>" users MongoDB's Jira assigns untriaged issues to (username
 * `backlog-server-evg`, shown as "Backlog - Evergreen Team"). Data: extend it when a tracker's
 * export shows another such convention; each entry says what writes it.
 */
const QUEUE_ACCOUNTS: readonly RegExp[] = [
  /^backlog\s+[-–—:]\s*\S/i, // Jira team backlog users ("Backlog - Query Execution")
];

/** True for a name that is a team's queue or board account ("Backlog - Evergreen Team"). */
export function isQueueAccount(value: string): boolean {
  const v = value.trim();
  return QUEUE_ACCOUNTS.some((re) => re.test(v));
}

/** A person's name as a field gives it, or null when it is a placeholder, a machine id or a queue account. */
export function personName(value: string | null | undefined): string | null {
  const v = value?.trim();
  if (!v || isPlaceholder(v) || isMachineId(v) || isQueueAccount(v)) return null;
  return v;
}
