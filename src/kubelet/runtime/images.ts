import { accessSync, constants } from 'node:fs';
import { isAbsolute } from 'node:path';
import { RuntimeError } from './errors.js';
import { lookupImage } from './image-pull.js';

/**
 * What an image means to the process runtime: the command that stands in for the image's
 * ENTRYPOINT (a command prefix), its default CMD, and extra environment.
 *
 * Resolution follows Docker's rules: a container `command` replaces `entrypoint`, and then the
 * image `cmd` is ignored; `args` replace `cmd`. When the container's command is empty the
 * entrypoint runs — so `{ entrypoint: [process.execPath, 'server.js'] }` makes an image out of
 * a script. `aliases` rewrite the first word of a container command (e.g. `node` →
 * `process.execPath`) so manifests written for real images run unchanged.
 *
 * @public
 */
export interface ProcessImage {
  readonly entrypoint: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly aliases?: Readonly<Record<string, string>>;
}

/** Image reference (exact, or repository without tag) → {@link ProcessImage}. @public */
export type ImageMap = Readonly<Record<string, ProcessImage>>;

/**
 * The default image map: `node` (any tag) runs this Node.js binary; `busybox`, `alpine`, `sh`
 * and `bash` run `/bin/sh` (so `sh -c '…'` commands work).
 * @public
 */
export function defaultImageMap(): ImageMap {
  const node: ProcessImage = { entrypoint: [process.execPath], aliases: { node: process.execPath } };
  const sh: ProcessImage = { entrypoint: ['/bin/sh'], aliases: { sh: '/bin/sh' } };
  return { node, busybox: sh, alpine: sh, sh, bash: { entrypoint: ['/bin/bash'] } };
}

/** The argv, env and image reference a container will run with. */
export interface ResolvedCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly imageRef: string;
}

function mappingHelp(image: string): string {
  return (
    `map it in the process runtime's image map, e.g. new ProcessRuntime({ images: { ${JSON.stringify(image)}: ` +
    `{ entrypoint: ['/path/to/program'] } } }) — keys match the exact reference or the repository without its tag`
  );
}

/** Find the image's mapping or throw `ErrImagePull` saying how to add one. */
export function resolveImage(images: ImageMap, image: string): ProcessImage {
  const m = lookupImage(images, image);
  if (m === undefined) {
    throw new RuntimeError('ErrImagePull', `Failed to pull image ${JSON.stringify(image)}: the process runtime has no mapping for it; ${mappingHelp(image)}.`);
  }
  if (m.entrypoint.length === 0) {
    throw new RuntimeError('ErrImagePull', `Failed to pull image ${JSON.stringify(image)}: its mapping has an empty entrypoint; give the program to run, ${mappingHelp(image)}.`);
  }
  const exe = m.entrypoint[0];
  if (isAbsolute(exe)) {
    try {
      accessSync(exe, constants.X_OK);
    } catch (err) {
      throw new RuntimeError(
        'ErrImagePull',
        `Failed to pull image ${JSON.stringify(image)}: its entrypoint ${exe} is not an executable file; install it or change the mapping (${mappingHelp(image)}).`,
        { cause: err },
      );
    }
  }
  return m;
}

/** Build the argv of a container from its image mapping and its command/args. */
export function resolveCommand(mapping: ProcessImage, command: readonly string[] | undefined, args: readonly string[] | undefined): readonly string[] {
  const hasCommand = command !== undefined && command.length > 0;
  const hasArgs = args !== undefined && args.length > 0;
  const head = hasCommand ? command : mapping.entrypoint;
  const tail = hasArgs ? args : hasCommand ? [] : (mapping.cmd ?? []);
  const argv = [...head, ...tail];
  const alias = mapping.aliases?.[argv[0]];
  if (alias !== undefined) argv[0] = alias;
  return argv;
}
