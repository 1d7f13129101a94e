/**
 * The alert state table's item shapes shared by its adapters (`alert-state-store.ts`,
 * `presence-store.ts`): a small marshaller for plain JSON items (strings, numbers, booleans,
 * lists, maps) and the device item's key (docs/ARCHITECTURE.md §3.7).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

function toAttr(v: unknown): AttributeValue {
  if (v === null || v === undefined) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(toAttr) };
  return { M: toItem(v as Record<string, unknown>) };
}

/**
 * A plain object as a DynamoDB item (undefined fields left out).
 *
 * @example
 * toItem({ pk: 'D#dev-1', n: 3 }) // { pk: { S: 'D#dev-1' }, n: { N: '3' } }
 */
export function toItem(o: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = toAttr(v);
  return out;
}

function fromAttr(a: AttributeValue): unknown {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.L !== undefined) return a.L.map(fromAttr);
  if (a.M !== undefined) return fromItem(a.M);
  return null;
}

/**
 * A DynamoDB item as a plain object.
 *
 * @example
 * fromItem({ n: { N: '3' } }) // { n: 3 }
 */
export function fromItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = fromAttr(v);
  return out;
}

/** A time as a 15-digit sort key part (sorts as a number). */
export const pad = (t: number): string => String(Math.max(0, Math.round(t))).padStart(15, '0');

/** Partition key of a device's items. */
export const devicePk = (deviceId: string): string => `D#${deviceId}`;

/** Sort key of a device's own item. */
export const DEVICE_SK = '#DEVICE';

/** Whether an error is DynamoDB's failed condition (a write that was not due, or already done). */
export const isConditionFailure = (err: unknown): boolean => (err as { name?: string })?.name === 'ConditionalCheckFailedException';
