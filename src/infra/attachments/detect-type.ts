/** The magic-number detector the core's sniffer asks (src/core/attachments/sniff.ts): file-type. */
import { fileTypeFromBuffer } from 'file-type';
import type { DetectType } from '../../core/attachments/sniff.ts';

export const detectType: DetectType = async (head) => (await fileTypeFromBuffer(head))?.mime ?? null;
