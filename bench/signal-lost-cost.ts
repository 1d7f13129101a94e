/**
 * What `signal-lost` costs (docs/ARCHITECTURE.md §3.3, README "Cost per patient-month"): the
 * detector's writes of each device's last arrival, the sweep's reads, and the sweep function,
 * priced from the timing in `src/contract/signal-lost.ts` and the list prices of `aws-prices.ts`.
 */
import { SWEEP_MEMORY_MB } from '../infra/constructs/signal-lost-sweep';
import { PRESENCE_WRITE_SECONDS, SWEEP_SCHEDULE_SECONDS, signalLostTiming } from '../src/contract';
import { PATIENT_MONTH_SECONDS, PRICES } from './aws-prices';

/**
 * Bytes of a device item as the sweep reads it: keys, id, arrival, last seen and phase are about
 * 150 bytes; each snooze adds about 120 to its audit trail. 300 stands for a device snoozed once.
 */
export const DEVICE_ITEM_BYTES = 300;

/** Costs of signal-lost per device-month and per stack-month (USD), and the requests behind them. */
export interface SignalLostCost {
  /** UpdateItem requests per device-month (last arrival, with the console's last seen and phase). */
  readonly writesPerDeviceMonth: number;
  /** Write units: the table's item (under 1 KB: 1) and its copy in the `gsi1` index (1). */
  readonly writeUnitsPerDeviceMonth: number;
  /** Sweeps per month, and read units a device's item costs across them. */
  readonly sweepsPerMonth: number;
  readonly readUnitsPerDeviceMonth: number;
  readonly perDeviceMonth: number;
  /** The sweep function per stack-month: one run a minute at 128 MB, billed while it waits between sweeps. */
  readonly sweepFunctionPerStackMonth: number;
}

/**
 * Prices signal-lost for the default timing.
 *
 * @example
 * signalLostCost().perDeviceMonth // about $0.16
 */
export function signalLostCost(): SignalLostCost {
  const timing = signalLostTiming();
  const writesPerDeviceMonth = PATIENT_MONTH_SECONDS / PRESENCE_WRITE_SECONDS;
  const writeUnitsPerDeviceMonth = writesPerDeviceMonth * 2;
  const sweepsPerRun = Math.ceil((SWEEP_SCHEDULE_SECONDS * 1000) / timing.checkEveryMs);
  const runsPerMonth = PATIENT_MONTH_SECONDS / SWEEP_SCHEDULE_SECONDS;
  const sweepsPerMonth = runsPerMonth * sweepsPerRun;
  // An eventually consistent query reads 8 KB per unit (4 KB at half a unit).
  const readUnitsPerDeviceMonth = sweepsPerMonth * (DEVICE_ITEM_BYTES / 8192);
  // A run lasts from its first sweep to its last (waiting in between), plus about a second of work.
  const runSeconds = ((sweepsPerRun - 1) * timing.checkEveryMs) / 1000 + 1;
  const sweepFunctionPerStackMonth =
    runsPerMonth * runSeconds * (SWEEP_MEMORY_MB / 1024) * PRICES.lambdaArmGbSecond + runsPerMonth * PRICES.lambdaRequest;
  return {
    writesPerDeviceMonth,
    writeUnitsPerDeviceMonth,
    sweepsPerMonth,
    readUnitsPerDeviceMonth,
    perDeviceMonth: writeUnitsPerDeviceMonth * PRICES.dynamoWriteUnit + readUnitsPerDeviceMonth * PRICES.dynamoReadUnit,
    sweepFunctionPerStackMonth,
  };
}
