/**
 * MIT/WFDB annotation codes and their symbols, which of them are heartbeats, and the AAMI EC57
 * beat classes they fall into.
 */

/**
 * Symbol of each annotation code 0..49 of the MIT format (WFDB's `ecgmap`). Codes without a
 * standard meaning are shown as `[code]`.
 */
export const ANNOTATION_SYMBOLS: readonly string[] = Object.freeze(
  (() => {
    const known = [
      '',
      'N',
      'L',
      'R',
      'a',
      'V',
      'F',
      'J',
      'A',
      'S',
      'E',
      'j',
      '/',
      'Q',
      '~',
      '[15]',
      '|',
      '[17]',
      's',
      'T',
      '*',
      'D',
      '"',
      '=',
      'p',
      'B',
      '^',
      't',
      '+',
      'u',
      '?',
      '!',
      '[',
      ']',
      'e',
      'n',
      '@',
      'x',
      'f',
      '(',
      ')',
      'r',
    ];
    const all: string[] = [];
    for (let code = 0; code <= 49; code++) all.push(code < known.length ? known[code] : `[${code}]`);
    return all;
  })(),
);

/** Beat (QRS) annotation symbols, as WFDB's `isqrs`: everything else is rhythm, noise, or a note. */
const BEAT_SYMBOLS: ReadonlySet<string> = new Set([
  'N',
  'L',
  'R',
  'a',
  'V',
  'F',
  'J',
  'A',
  'S',
  'E',
  'j',
  '/',
  'Q',
  'B',
  'e',
  'n',
  'f',
  'r',
]);

/** AAMI EC57 beat class. */
export type AamiClass = 'N' | 'S' | 'V' | 'F' | 'Q';

/**
 * AAMI grouping (docs/ARCHITECTURE.md §6): N = N L R e j, S = A a J S, V = V E, F = F, Q = / f Q.
 * The three beat codes the design leaves out follow EC57's intent: `B` (bundle branch block,
 * unspecified) is a normal-origin beat, `n` (supraventricular escape) is an escape beat like
 * `e`/`j`, and `r` (R-on-T) is a premature ventricular beat.
 */
const AAMI: Readonly<Record<string, AamiClass>> = Object.freeze({
  N: 'N',
  L: 'N',
  R: 'N',
  e: 'N',
  j: 'N',
  B: 'N',
  n: 'N',
  A: 'S',
  a: 'S',
  J: 'S',
  S: 'S',
  V: 'V',
  E: 'V',
  r: 'V',
  F: 'F',
  '/': 'Q',
  f: 'Q',
  Q: 'Q',
});

/**
 * Whether an annotation symbol marks a heartbeat (only these count in EC57 QRS detection scores).
 *
 * @example
 * isBeatSymbol('V'); // true
 * isBeatSymbol('+'); // false (rhythm change)
 */
export function isBeatSymbol(symbol: string): boolean {
  return BEAT_SYMBOLS.has(symbol);
}

/**
 * AAMI EC57 class of a beat symbol, or `undefined` for a non-beat annotation.
 *
 * @example
 * aamiClass('A'); // 'S'
 * aamiClass('~'); // undefined
 */
export function aamiClass(symbol: string): AamiClass | undefined {
  return Object.hasOwn(AAMI, symbol) ? AAMI[symbol] : undefined;
}
