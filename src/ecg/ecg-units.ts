/**
 * Millivolts per one unit of a voltage unit as ECG files spell it: `mV` 1, `uV`/`µV` 0.001,
 * `V` 1000, `nV` 1e-6; undefined for anything else (`mmHg`, `%`, an empty unit), so callers can
 * leave non-voltage signals out instead of mislabelling them. Case is ignored because files write
 * `MV`, `UV` or `mv` for millivolts and microvolts; nobody records megavolts.
 *
 * @example
 * millivoltsPerUnit('uV'); // 0.001
 * millivoltsPerUnit('mmHg'); // undefined
 */
export function millivoltsPerUnit(unit: string): number | undefined {
  // µ is written as the micro sign (U+00B5) or the Greek mu (U+03BC).
  const u = unit
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .replace(/[\u00b5\u03bc]/g, 'u')
    .toLowerCase();
  switch (u) {
    case 'mv':
    case 'millivolt':
    case 'millivolts':
      return 1;
    case 'uv':
    case 'microvolt':
    case 'microvolts':
      return 1e-3;
    case 'nv':
      return 1e-6;
    case 'v':
    case 'volt':
    case 'volts':
      return 1e3;
    default:
      return undefined;
  }
}
