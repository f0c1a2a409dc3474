/**
 * The sentences of a markdown page, for "no sentence said twice": prose lines and table
 * cells, outside code fences; a sentence ends with . ! or ? and has at least four words
 * (labels such as "Panel: CPU." are not prose).
 */
export function sentences(md: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of md.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced || /^\s*(#|<|\[[^\]]+\]:)/.test(line)) continue;
    const parts = line.trimStart().startsWith("|") ? line.split(/(?<!\\)\|/) : [line];
    for (const part of parts) {
      const text = part.replace(/^\s*(\d+\.|[-*])\s+/, "").trim();
      for (const s of text.split(/(?<=[.!?])\s+/)) {
        if (/[.!?]$/.test(s) && s.split(/\s+/).length >= 4) out.push(s);
      }
    }
  }
  return out;
}

/** Sentences that occur more than once, each listed once. */
export function repeatedSentences(md: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const s of sentences(md)) {
    if (seen.has(s)) repeated.add(s);
    seen.add(s);
  }
  return [...repeated];
}
