import { anyWordsTsQuery, renderHighlight, searchTsQuery, unfinishedWord } from '../../../src/modules/articles/kb-search';

describe('unfinishedWord', () => {
  it.each([
    ['how to withdr', { head: 'how to ', word: 'withdr' }],
    ['Passw', { head: '', word: 'passw' }],
    ['refund 2fa', { head: 'refund ', word: '2fa' }],
  ])('expands the word being typed in %j', (text, expected) => {
    expect(unfinishedWord(text)).toEqual(expected);
  });

  it.each([
    ['a finished word', 'withdraw '],
    ['a single letter', 'how w'],
    ['an open phrase', '"bank trans'],
    ['a closed phrase', '"bank transfer"'],
    ['an excluded word', 'withdraw -fee'],
    ['the or operator', 'refund or'],
    ['punctuation', 'what?'],
    ['nothing', ''],
  ])('leaves %s alone', (_what, text) => {
    expect(unfinishedWord(text)).toBeNull();
  });
});

describe('searchTsQuery', () => {
  it('is null for blank text', () => {
    expect(searchTsQuery('  \n ')).toBeNull();
  });

  it('binds what was typed instead of splicing it into the SQL', () => {
    const query = searchTsQuery("x'); drop table articles; --");
    expect(query?.sql).not.toContain('drop');
    expect(query?.params).toEqual(["x'); drop table articles; --"]);
  });

  it('adds the unfinished word as a stemmed and an as-typed prefix', () => {
    const query = searchTsQuery('how to withdr')!;
    expect(query.params).toEqual(['how to withdr', 'how to ', 'withdr:*', 'withdr:*']);
    expect(query.sql).toContain("to_tsquery('simple', ?)");
  });

  it('caps the text at 200 characters', () => {
    expect((searchTsQuery(`${'a'.repeat(300)} `)!.params[0] as string).length).toBe(200);
  });
});

describe('anyWordsTsQuery', () => {
  it('reads the text from the given expression and caps the number of terms', () => {
    const sql = anyWordsTsQuery('t.subject', 8.7);
    expect(sql).toContain("to_tsvector('english', t.subject)");
    expect(sql).toContain('limit 8)');
  });
});

describe('renderHighlight', () => {
  it('escapes HTML and marks only the matched words', () => {
    expect(renderHighlight('Paste <script>\uE000snippet\uE001</script> & "save"')).toBe(
      'Paste &lt;script&gt;<mark>snippet</mark>&lt;/script&gt; &amp; &quot;save&quot;',
    );
  });

  it('collapses whitespace from Markdown line breaks', () => {
    expect(renderHighlight('  one\n\n\uE000two\uE001  ')).toBe('one <mark>two</mark>');
  });
});
