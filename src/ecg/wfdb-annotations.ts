import { readFileSync } from 'node:fs';
import { ANNOTATION_SYMBOLS } from './beat-symbols';
import { WfdbFormatError } from './wfdb-error';

/** Annotations of a record, one entry per annotation in every array (structure of arrays). */
export interface WfdbAnnotations {
  /** Sample index of each annotation (at the record's fs). */
  readonly sample: Int32Array;
  /** Annotation symbol (`N`, `V`, `+`...), see {@link ANNOTATION_SYMBOLS}. */
  readonly symbol: string[];
  /** Annotation code (0..49). */
  readonly code: Uint8Array;
  /** Subtype (SUB pseudo-code), 0 when absent. */
  readonly subtype: Int16Array;
  /** Signal the annotation refers to (CHN pseudo-code, sticky), 0 by default. */
  readonly chan: Uint8Array;
  /** Annotator number (NUM pseudo-code, sticky), 0 by default. */
  readonly num: Uint8Array;
  /** Text attached by an AUX pseudo-code (rhythm strings such as `(AFIB`), or undefined. */
  readonly aux: (string | undefined)[];
}

// Pseudo-codes of the MIT annotation format (top 6 bits of a word).
const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/**
 * Parses an annotation file in MIT format: 16-bit little-endian words, code in the top 6 bits and
 * the time increment in the low 10, with the SKIP/NUM/SUB/CHN/AUX pseudo-codes. Truncated or
 * malformed data throws a {@link WfdbFormatError} naming the byte.
 *
 * @param bytes - the file's contents
 * @param file - the name used in error messages
 */
export function parseWfdbAnnotations(bytes: Uint8Array, file: string): WfdbAnnotations {
  const sample: number[] = [];
  const symbol: string[] = [];
  const code: number[] = [];
  const subtype: number[] = [];
  const chan: number[] = [];
  const num: number[] = [];
  const aux: (string | undefined)[] = [];
  let time = 0;
  let currentNum = 0;
  let currentChan = 0;
  let p = 0;
  let ended = false;
  const word = (at: number): number => bytes[at] | (bytes[at + 1] << 8);
  const need = (at: number, n: number, what: string): void => {
    if (at + n > bytes.length) throw new WfdbFormatError(file, `byte ${at}`, `truncated inside ${what} (${bytes.length} bytes)`);
  };
  const requireAnnotation = (at: number, what: string): number => {
    if (symbol.length === 0) throw new WfdbFormatError(file, `byte ${at}`, `${what} before any annotation`);
    return symbol.length - 1;
  };
  while (p < bytes.length) {
    need(p, 2, 'an annotation word');
    const w = word(p);
    const a = w >> 10;
    const i = w & 0x3ff;
    if (a === 0 && i === 0) {
      ended = true;
      break;
    }
    if (a === SKIP) {
      need(p + 2, 4, 'a SKIP interval');
      // PDP-11 long: high 16-bit word first, each word little-endian.
      const interval = (word(p + 2) << 16) | word(p + 4) | 0;
      time += interval;
      p += 6;
      continue;
    }
    if (a === NUM) {
      currentNum = i;
      num[requireAnnotation(p, 'NUM')] = i;
    } else if (a === SUB) {
      subtype[requireAnnotation(p, 'SUB')] = i > 511 ? i - 1024 : i;
    } else if (a === CHN) {
      currentChan = i;
      chan[requireAnnotation(p, 'CHN')] = i;
    } else if (a === AUX) {
      const last = requireAnnotation(p, 'AUX');
      need(p + 2, i, `an AUX string of ${i} bytes`);
      let text = '';
      for (let k = 0; k < i; k++) {
        const c = bytes[p + 2 + k];
        if (c === 0) break;
        text += String.fromCharCode(c);
      }
      aux[last] = text;
      p += 2 + i + (i & 1);
      continue;
    } else if (a > 49) {
      throw new WfdbFormatError(file, `byte ${p}`, `unknown annotation code ${a}`);
    } else {
      time += i;
      sample.push(time);
      symbol.push(ANNOTATION_SYMBOLS[a]);
      code.push(a);
      subtype.push(0);
      chan.push(currentChan);
      num.push(currentNum);
      aux.push(undefined);
    }
    p += 2;
  }
  if (!ended) throw new WfdbFormatError(file, `byte ${bytes.length}`, 'truncated: no end-of-file word (0x0000)');
  return {
    sample: Int32Array.from(sample),
    symbol,
    code: Uint8Array.from(code),
    subtype: Int16Array.from(subtype),
    chan: Uint8Array.from(chan),
    num: Uint8Array.from(num),
    aux,
  };
}

/**
 * Reads an annotation file (`.atr`) in MIT format.
 *
 * @example
 * const ann = readWfdbAnnotations('data/mitdb/100.atr');
 * ann.symbol.filter((s) => s === 'V').length; // 1
 */
export function readWfdbAnnotations(path: string): WfdbAnnotations {
  return parseWfdbAnnotations(new Uint8Array(readFileSync(path)), path);
}
