import { PersistentVolume, PersistentVolumeClaim } from '../../api/generated/kinds.js';
import type { NodeSelector } from '../../api/generated/types.js';
import { StateKey, type CycleState } from '../framework/cycle-state.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, ObjectLister, PreFilterPlugin, PreFilterResult } from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { matchNodeSelector } from './helpers.js';

const key = new StateKey<readonly NodeSelector[]>('VolumeBinding/preFilter');

/**
 * A light VolumeBinding: every PVC the pod mounts must exist and be bound; a bound PV's
 * `nodeAffinity` restricts the nodes. It does not provision or bind volumes (a volume binding
 * controller does): an unbound claim keeps the pod unschedulable until the claim binds.
 *
 * PreFilter: missing claim → `persistentvolumeclaim "x" not found`; unbound claim →
 * `pod has unbound immediate PersistentVolumeClaims` (both UnschedulableAndUnresolvable).
 * Filter: `node(s) had volume node affinity conflict`.
 *
 * @public
 */
export class VolumeBinding implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'VolumeBinding';
  readonly name = VolumeBinding.pluginName;
  readonly #pvcs: ObjectLister<PersistentVolumeClaim>;
  readonly #pvs: ObjectLister<PersistentVolume>;

  constructor(handle: Pick<Handle, 'lister'>) {
    this.#pvcs = handle.lister(PersistentVolumeClaim);
    this.#pvs = handle.lister(PersistentVolume);
  }

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult {
    const vols = pod.pod.spec?.volumes;
    if (vols === undefined || !vols.some((v) => v.persistentVolumeClaim !== undefined)) return { status: Status.skip() };
    const selectors: NodeSelector[] = [];
    for (const v of vols) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (claim === undefined) continue;
      const pvc = this.#pvcs.get(pod.namespace, claim);
      if (pvc === undefined) return { status: Status.unresolvable(`persistentvolumeclaim "${claim}" not found`) };
      if (pvc.metadata.deletionTimestamp !== undefined) return { status: Status.unresolvable(`persistentvolumeclaim "${claim}" is being deleted`) };
      const pvName = pvc.spec?.volumeName;
      if (pvName === undefined || pvName === '') return { status: Status.unresolvable('pod has unbound immediate PersistentVolumeClaims') };
      const pv = this.#pvs.get(undefined, pvName);
      if (pv === undefined) return { status: Status.unresolvable(`persistentvolume "${pvName}" not found`) };
      const req = pv.spec?.nodeAffinity?.required;
      if (req !== undefined) selectors.push(req);
    }
    if (selectors.length === 0) return { status: Status.skip() };
    state.write(key, selectors);
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const sels = state.read(key);
    if (sels === undefined) return Status.success();
    if (node.node === undefined) return Status.unresolvable('node not found');
    for (const s of sels) if (!matchNodeSelector(s, node.node)) return Status.unresolvable('node(s) had volume node affinity conflict');
    return Status.success();
  }

  events(): readonly ClusterEvent[] {
    return ['PvcChange', 'PvChange', 'NodeAdd', 'NodeUpdate'];
  }
}
