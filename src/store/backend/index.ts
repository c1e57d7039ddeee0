export type {
  Backend,
  BackendEvent,
  KeyValue,
  RangeOptions,
  RangeResult,
  StoredValue,
  WriteCondition,
  WriteResult,
} from './types.js';
export { BackendError, type BackendErrorCode } from './errors.js';
export { MemoryBackend, type MemoryBackendOptions } from './memory.js';
export { FileBackend, type FileBackendOptions, type FsyncMode } from './file.js';
export { DEFAULT_HISTORY_MAX_AGE_MS, DEFAULT_HISTORY_MAX_EVENTS, type HistoryOptions } from './mvcc.js';
