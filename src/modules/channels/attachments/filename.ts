import { create as contentDisposition } from 'content-disposition';
import { servesInline } from './content-type';

const MAX_FILENAME_LENGTH = 200;
/** C0/C1 controls, and the invisible marks that can make `invoice‮fdp.exe` read as `invoiceexe.pdf`. */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The name a client gave a file, made safe to store and to show: no directories, no control or
 * direction-changing characters, at most 200 characters (the extension kept), never empty. The
 * name is only ever a label: storage keys are random.
 */
export function cleanFilename(raw: string | undefined | null): string {
  const base = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(UNSAFE_CHARACTERS, '').trim();
  const characters = [...cleaned];
  if (characters.length > MAX_FILENAME_LENGTH) {
    const dot = cleaned.lastIndexOf('.');
    const extension = dot > 0 && cleaned.length - dot <= 16 ? [...cleaned.slice(dot)] : [];
    return [...characters.slice(0, MAX_FILENAME_LENGTH - extension.length), ...extension].join('');
  }
  return cleaned || 'file';
}

/**
 * `Content-Disposition` for a download: raster images may show in place, everything else is an
 * attachment. The name is quoted and escaped with an ASCII fallback plus RFC 5987 `filename*`, so
 * quotes, semicolons or line breaks in it cannot add header parameters or headers.
 */
export function dispositionFor(filename: string, mimeType: string): string {
  return contentDisposition(cleanFilename(filename), { type: servesInline(mimeType) ? 'inline' : 'attachment' });
}
