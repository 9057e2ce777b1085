/**
 * Reading the input before its words are weighed. Pasted chat (`[09:12] anna: the cert expired`)
 * carries a clock time and a speaker on every line: neither says anything about the incident, and
 * a name is rare enough to dominate BM25 (it is one in the whole corpus, so its idf is the
 * highest). They are dropped; the message text stays.
 */

// "[09:12] anna:", "09:12 lu (oncall):", "[02:05:11] billing-bot:" at the start of a line.
const CHAT_PREFIX = /^[ \t]*\[?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?\]?[ \t]+[^\s:][^:\n]{0,38}?:(?=\s)/gm;

/** The text with chat line prefixes (time and speaker) removed. */
export function withoutChatPrefixes(text: string): string {
  return text.replace(CHAT_PREFIX, '');
}
