/** The acknowledgement a customer reads when their ticket is opened: its number, and what to read meanwhile. */
export function acknowledgementText(
  ticket: { number: string },
  articles: readonly { title: string; slug: string }[],
  webUrl: string | undefined,
): string {
  const lines = [`Thanks for reaching out! We have received your request as ticket ${ticket.number}. An agent will answer here as soon as possible.`];
  if (articles.length) {
    lines.push('', 'While you wait, these articles may already answer your question:');
    for (const article of articles) lines.push(`- ${article.title}${webUrl ? `: ${webUrl}/help/${encodeURIComponent(article.slug)}` : ''}`);
  }
  return lines.join('\n');
}
