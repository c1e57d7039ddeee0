import type { KubeObject, PrinterColumn } from './resource.js';

/**
 * `kubectl get` columns of built-in kinds, keyed by `group/Kind`. Kinds not listed print
 * NAME and AGE.
 *
 * @internal
 */
export const builtinPrinterColumns: { readonly [groupKind: string]: readonly PrinterColumn<KubeObject>[] } = {};
