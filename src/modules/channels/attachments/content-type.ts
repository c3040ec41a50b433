import { fromBuffer } from 'file-type';

/**
 * What customers and agents may upload, decided from the bytes (never the name or the type the
 * client claims). Nothing here can run script when opened from our origin: no HTML, no SVG, no
 * XML. `inline` marks the raster images a browser may display in place; everything else downloads.
 */
export const ALLOWED_TYPES: Record<string, { inline: boolean }> = {
  'image/png': { inline: true },
  'image/jpeg': { inline: true },
  'image/gif': { inline: true },
  'image/webp': { inline: true },
  'application/pdf': { inline: false },
  'text/plain': { inline: false },
  'application/zip': { inline: false },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { inline: false },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { inline: false },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { inline: false },
};

/** Bytes read before deciding: enough for file-type to look inside Office containers. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The type of a file from its first bytes, or null when it is not one we accept. `complete` says
 * whether `head` is the whole file (a cut-off UTF-8 sequence at the end of a longer file is fine).
 */
export async function sniffContentType(head: Buffer, complete: boolean): Promise<string | null> {
  if (head.length === 0) return null;
  const detected = await fromBuffer(head);
  if (detected) return detected.mime in ALLOWED_TYPES ? detected.mime : null;
  return looksLikeText(head, complete) ? 'text/plain' : null;
}

/**
 * Markup a browser would render (HTML, SVG, XML) is not "plain text", even though it is text: it is
 * refused rather than relabelled, so nobody downloads a page that pretends to be a log file.
 */
const MARKUP = /^\s*<(?:!--|(?:!doctype|html|head|body|script|iframe|svg|\?xml|meta|link|style|object|embed)\b)/i;

/** Valid UTF-8 without NUL bytes or other control characters than tab, line feed, carriage return, form feed; not markup. */
function looksLikeText(head: Buffer, complete: boolean): boolean {
  let bytes = head;
  if (!complete) {
    // Drop a multi-byte character the sample may have cut in two.
    let end = bytes.length;
    for (let back = 1; back <= 3 && end - back >= 0; back++) {
      const byte = bytes[end - back];
      if ((byte & 0xc0) === 0xc0) {
        end -= back;
        break;
      }
      if ((byte & 0x80) === 0) break;
    }
    bytes = bytes.subarray(0, end);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text) && !MARKUP.test(text);
  } catch {
    return false;
  }
}

export function servesInline(mimeType: string): boolean {
  return ALLOWED_TYPES[mimeType]?.inline ?? false;
}
