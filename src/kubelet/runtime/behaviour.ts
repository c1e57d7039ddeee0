import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { tryParseQuantity, quantityMilliValue, quantityValue } from '../../api/quantity.js';
import { RuntimeError } from './errors.js';

const NonNegative = new t.Type<number, number, unknown>(
  'NonNegativeSeconds',
  (u): u is number => typeof u === 'number' && Number.isFinite(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isFinite(u) && u >= 0 ? t.success(u) : t.failure(u, c, 'expected a number of seconds ≥ 0')),
  t.identity,
);

const ExitCode = new t.Type<number, number, unknown>(
  'ExitCode',
  (u): u is number => Number.isInteger(u) && (u as number) >= 0 && (u as number) <= 255,
  (u, c) => (Number.isInteger(u) && (u as number) >= 0 && (u as number) <= 255 ? t.success(u as number) : t.failure(u, c, 'expected an integer exit code from 0 to 255')),
  t.identity,
);

function quantityString(name: string, kind: 'cpu' | 'memory'): t.Type<string, string, unknown> {
  const example = kind === 'cpu' ? "'250m' or '2'" : "'64Mi' or '1Gi'";
  return new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && tryParseQuantity(u) !== undefined,
    (u, c) =>
      typeof u === 'string' && tryParseQuantity(u) !== undefined ? t.success(u) : t.failure(u, c, `expected a ${kind} quantity such as ${example}`),
    t.identity,
  );
}

/** Fail on keys a codec does not know, so a typo such as `exitAfterSecond` is reported, not ignored. */
function strict<P extends t.Props>(name: string, props: P): t.Type<Partial<t.TypeOf<t.PartialC<P>>>, unknown, unknown> {
  const inner = t.partial(props);
  const known = new Set(Object.keys(props));
  return new t.Type<Partial<t.TypeOf<t.PartialC<P>>>, unknown, unknown>(
    name,
    (u): u is Partial<t.TypeOf<t.PartialC<P>>> => inner.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'expected a JSON object');
      for (const k of Object.keys(u)) {
        if (!known.has(k)) return t.failure(u, c, `unknown field ${JSON.stringify(k)}; known fields are ${[...known].join(', ')}`);
      }
      return inner.validate(u, c) as t.Validation<Partial<t.TypeOf<t.PartialC<P>>>>;
    },
    t.identity,
  );
}

const ProbeScriptCodec = strict('ProbeScript', { failFromSeconds: NonNegative, failUntilSeconds: NonNegative });
const ExecReplyCodec = strict('ExecReply', { exitCode: ExitCode, stdout: t.string, stderr: t.string });

const behaviourProps = {
  pullDelaySeconds: NonNegative,
  pullError: t.string,
  startDelaySeconds: NonNegative,
  startError: t.string,
  exitAfterSeconds: NonNegative,
  exitCode: ExitCode,
  crashLoop: t.boolean,
  oomAfterSeconds: NonNegative,
  stopDelaySeconds: NonNegative,
  cpu: quantityString('CpuQuantity', 'cpu'),
  memory: quantityString('MemoryQuantity', 'memory'),
  logs: t.array(t.string),
  probes: strict('ProbeScripts', { startup: ProbeScriptCodec, liveness: ProbeScriptCodec, readiness: ProbeScriptCodec }),
  exec: t.record(t.string, ExecReplyCodec),
};

/**
 * io-ts codec of {@link SimulatedBehaviour}: unknown fields, wrong types, negative durations and
 * bad quantities are all rejected with their path.
 * @public
 */
export const SimulatedBehaviourCodec = strict('SimulatedBehaviour', behaviourProps);

/** When a scripted probe fails, in seconds since the container started: in `[failFrom, failUntil)`. @public */
export interface ProbeScript {
  /** Start failing this many seconds after start (default 0 when `failUntilSeconds` is set). */
  readonly failFromSeconds?: number;
  /** Stop failing this many seconds after start (default: never). */
  readonly failUntilSeconds?: number;
}

/**
 * How a simulated container behaves. Every field is optional; a container with the empty
 * behaviour starts at once, runs forever, passes every probe and uses nothing.
 *
 * Times are seconds on the runtime's Clock, counted from the container's start.
 *
 * @public
 */
export interface SimulatedBehaviour {
  /** Pulling the image takes this long (once per image unless `imagePullPolicy: Always`). */
  readonly pullDelaySeconds?: number;
  /** Pulling the image fails with this message (`ErrImagePull`, then `ImagePullBackOff`). */
  readonly pullError?: string;
  /** `startContainer` takes this long; the container stays `created` meanwhile. */
  readonly startDelaySeconds?: number;
  /** `startContainer` fails with `RunContainerError` and this message (exit code 128, `StartError`). */
  readonly startError?: string;
  /** Exit on its own this long after start, with `exitCode`. */
  readonly exitAfterSeconds?: number;
  /** The exit code for `exitAfterSeconds` / `crashLoop` (default 0, or 1 with `crashLoop`). */
  readonly exitCode?: number;
  /** Exit immediately on start (with `exitCode`, default 1): the CrashLoopBackOff case. */
  readonly crashLoop?: boolean;
  /** Be OOM-killed (exit 137, `OOMKilled`) this long after start. */
  readonly oomAfterSeconds?: number;
  /** After SIGTERM, take this long to exit (exit 0); killed with 137 if the stop timeout is shorter. */
  readonly stopDelaySeconds?: number;
  /** CPU use while running, as a quantity (`'250m'`). */
  readonly cpu?: string;
  /** Memory working set while running, as a quantity (`'64Mi'`); above the limit → OOMKilled at start. */
  readonly memory?: string;
  /** Lines written to stdout at start. */
  readonly logs?: readonly string[];
  /** Scripted probe results per kind (every probe handler type); absent kinds always succeed. */
  readonly probes?: { readonly startup?: ProbeScript; readonly liveness?: ProbeScript; readonly readiness?: ProbeScript };
  /** Replies of `execSync`, keyed by the command joined with spaces; others exit 0 with no output. */
  readonly exec?: Readonly<Record<string, { readonly exitCode?: number; readonly stdout?: string; readonly stderr?: string }>>;
}

/** The pod annotation that overrides the image behaviour for one pod. @public */
export const SIMULATE_ANNOTATION = 'kubekit.dev/simulate';

/**
 * The value of the `kubekit.dev/simulate` annotation: a behaviour for every container of the pod,
 * optionally with per-container overrides under `containers`.
 * @public
 */
export interface PodSimulation extends SimulatedBehaviour {
  readonly containers?: Readonly<Record<string, SimulatedBehaviour>>;
}

const PodSimulationCodec = strict('PodSimulation', { ...behaviourProps, containers: t.record(t.string, SimulatedBehaviourCodec) });

function formatErrors(errors: t.Errors): string {
  return errors
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.');
      return `${path === '' ? '(root)' : path}: ${e.message ?? `invalid value ${JSON.stringify(e.value)}`}`;
    })
    .join('; ');
}

/**
 * Decode a `kubekit.dev/simulate` annotation value.
 *
 * Errors: `RuntimeError` `InvalidSimulation` naming the pod, saying whether the JSON is malformed
 * or which field is wrong, with an example of a valid value.
 *
 * @example
 * ```ts
 * decodePodSimulation('{"exitAfterSeconds":5,"exitCode":1}', 'default/web-0');
 * ```
 * @public
 */
export function decodePodSimulation(value: string, pod: string): PodSimulation {
  const example = `e.g. '{"exitAfterSeconds":5,"exitCode":1}'`;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    throw new RuntimeError(
      'InvalidSimulation',
      `pod ${pod}: annotation ${SIMULATE_ANNOTATION} is not valid JSON (${(err as Error).message}); write a JSON object, ${example}.`,
      { cause: err },
    );
  }
  const decoded = PodSimulationCodec.decode(json);
  if (isLeft(decoded)) {
    throw new RuntimeError(
      'InvalidSimulation',
      `pod ${pod}: annotation ${SIMULATE_ANNOTATION} is not a valid behaviour: ${formatErrors(decoded.left)}; fix the field, ${example}.`,
    );
  }
  return decoded.right as PodSimulation;
}

/** A behaviour with its quantities parsed once. */
export interface ResolvedBehaviour {
  readonly spec: SimulatedBehaviour;
  readonly cpuNanoCores: number;
  readonly memoryBytes: number;
}

/** Parse the quantities of a (validated) behaviour. */
export function resolveBehaviour(spec: SimulatedBehaviour): ResolvedBehaviour {
  const cpu = spec.cpu === undefined ? undefined : tryParseQuantity(spec.cpu);
  const mem = spec.memory === undefined ? undefined : tryParseQuantity(spec.memory);
  return {
    spec,
    cpuNanoCores: cpu === undefined ? 0 : Number(quantityMilliValue(cpu)) * 1e6,
    memoryBytes: mem === undefined ? 0 : Number(quantityValue(mem)),
  };
}

/** Validate a behaviour given in code (the image map), with the same messages as annotations. */
export function validateBehaviour(spec: SimulatedBehaviour, where: string): SimulatedBehaviour {
  const decoded = SimulatedBehaviourCodec.decode(spec);
  if (isLeft(decoded)) {
    throw new RuntimeError('InvalidSimulation', `${where} is not a valid simulated behaviour: ${formatErrors(decoded.left)}.`);
  }
  return spec;
}
