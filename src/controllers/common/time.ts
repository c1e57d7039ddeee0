/**
 * Time formatting shared by controllers (the implementation lives in src/util/time.ts).
 *
 * @packageDocumentation
 */
export { rfc3339 } from '../../util/time.js';
