import { loadMitdbRecord } from '../src/ecg/mitdb';
import { defaultModelFor } from '../src/evaluate/default-model';
import { runRecordThroughDetector } from '../src/evaluate/mitdb-product';
const record = loadMitdbRecord('data/mitdb', '203');
const signal = record.signal.subarray(0, 660 * record.fs);
await runRecordThroughDetector({ deviceId: '203', signal, fs: record.fs }, defaultModelFor('203').model);
