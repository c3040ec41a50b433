/** Trimmed text, or null when nothing is left (an empty string clears an optional field). */
export function emptyToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Labels (tags, skills, languages) match case-insensitively: stored trimmed, lower-cased, once each. */
export function normalizeLabels(values: readonly string[] | null | undefined): string[] {
  return [...new Set((values ?? []).map((value) => value.trim().toLowerCase()).filter(Boolean))];
}
