/**
 * `src/producer`: the library gateways and devices use to send ECG into the stream (wire format
 * v1 or v2, per-device `seq`, records of N seconds, batched `PutRecords` with retries).
 */
export {
  EcgProducer,
  EndpointUnreachableError,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  type ProducerDevice,
  type ProducerLead,
  type ProducerOptions,
  type ProducerStats,
  type PutRecordsClient,
} from './producer';
export { leadGain, leadBits, DEFAULT_PRODUCER_GAIN } from './leads';
