import type { ResourceRequirements } from '../../api/generated/types.js';
import { QuantityError, parseQuantity, quantityMilliValue, quantityValue } from '../../api/quantity.js';
import { RuntimeError } from './errors.js';
import type { ContainerResources } from './types.js';

function read(
  map: { readonly [key: string]: string } | undefined,
  key: string,
  unit: 'milli' | 'whole',
  where: string,
): number | undefined {
  const raw = map?.[key];
  if (raw === undefined) return undefined;
  try {
    const q = parseQuantity(raw);
    return Number(unit === 'milli' ? quantityMilliValue(q) : quantityValue(q));
  } catch (err) {
    if (err instanceof QuantityError) {
      throw new RuntimeError('InvalidArgument', `resources.${where}.${key}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Convert a container's `resources` (quantities as strings) into the plain numbers a runtime
 * takes: CPU in millicores, memory in bytes (both rounded up, as Kubernetes does).
 *
 * Errors: `RuntimeError` `InvalidArgument` naming the field when a quantity does not parse.
 *
 * @example
 * ```ts
 * resourcesFromRequirements({ limits: { cpu: '500m', memory: '64Mi' } });
 * // { cpuLimitMillis: 500, memoryLimitBytes: 67108864 }
 * ```
 * @public
 */
export function resourcesFromRequirements(req: ResourceRequirements | undefined): ContainerResources {
  const out: { -readonly [K in keyof ContainerResources]: ContainerResources[K] } = {};
  const cpuLimit = read(req?.limits, 'cpu', 'milli', 'limits');
  const memLimit = read(req?.limits, 'memory', 'whole', 'limits');
  const cpuReq = read(req?.requests, 'cpu', 'milli', 'requests');
  const memReq = read(req?.requests, 'memory', 'whole', 'requests');
  if (cpuLimit !== undefined) out.cpuLimitMillis = cpuLimit;
  if (memLimit !== undefined) out.memoryLimitBytes = memLimit;
  if (cpuReq !== undefined) out.cpuRequestMillis = cpuReq;
  if (memReq !== undefined) out.memoryRequestBytes = memReq;
  return out;
}
