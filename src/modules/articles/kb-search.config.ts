/**
 * The PostgreSQL text search configuration the knowledge base stems with. It is named once, here:
 * the generated `search_vector` columns and every query use it, so the stored lexemes and the
 * query's lexemes always come from the same stemmer. Switching the help center's language means
 * changing this constant and running `npm run migration:create`, which regenerates the columns
 * (a stored vector cannot follow a runtime setting: PostgreSQL needs its expression immutable).
 */
export const KB_SEARCH_CONFIG = 'english';

/**
 * `text[]` → `text` for the tags' part of the document. `array_to_string` is only STABLE (it is
 * polymorphic), so a generated column cannot call it; this wrapper, created by the knowledge-base
 * migration, is IMMUTABLE, which holds for `text[]`.
 */
export const KB_TAGS_TEXT_FUNCTION = 'kb_tags_text';
