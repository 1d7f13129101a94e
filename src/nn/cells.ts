import type { Cell, CellKind } from './cell';
import { lstmCell } from './lstm';
import { peepholeCell } from './peephole';
import { gruCell } from './gru';
import { rnnCell } from './rnn';

const CELLS: Record<CellKind, Cell> = { lstm: lstmCell, peephole: peepholeCell, gru: gruCell, rnn: rnnCell };

/** The cell implementation of a kind. */
export function cellOf(kind: CellKind): Cell {
  return CELLS[kind];
}
