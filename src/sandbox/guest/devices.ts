import type { FsStat, IFileSystem } from 'just-bash/browser';
import { shellFsError } from './bash-fs';
import { normalizePath } from './paths';

/**
 * What commands write to /dev/stdout and /dev/stderr as files (`tee /dev/stderr`), added to the call's output. A
 * redirect to them (`> /dev/stderr`, `2>&1`) never gets here: the shell routes those itself.
 */
export interface DeviceOutput {
  stdout: string;
  stderr: string;
}

type Device = 'null' | 'stdout' | 'stderr';

const DEVICES: Readonly<Record<string, Device>> = {
  '/dev/null': 'null',
  '/dev/stdout': 'stdout',
  '/dev/stderr': 'stderr',
};

/** A character device, readable and writable by all. */
function deviceStat(path: string): FsStat {
  return {
    isFile: false,
    isDirectory: false,
    isSymbolicLink: false,
    mode: 0o20666,
    size: 0,
    mtime: new Date(0),
    identity: `device:${normalizePath(path)}`,
  };
}

const decoder = new TextDecoder();

/**
 * The shell's devices over its file system, as in any shell: /dev/null reads empty and swallows what is written;
 * /dev/stdout and /dev/stderr send what is written to the call's output. They never touch the workspace; any other
 * path under /dev is the workspace's own (a project may have a dev/ folder).
 */
export function withDevices(fs: IFileSystem, output: DeviceOutput): IFileSystem {
  const device = (path: string): Device | undefined => DEVICES[normalizePath(path)];
  const refuse = (path: string, op: string) =>
    Promise.reject(shellFsError('EACCES', `permission denied, ${op} '${normalizePath(path)}'`));
  const write = (target: Device, content: string | Uint8Array): Promise<void> => {
    if (target !== 'null') output[target] += typeof content === 'string' ? content : decoder.decode(content);
    return Promise.resolve();
  };
  return {
    ...fs,
    readFile: (path, options) => (device(path) ? Promise.resolve('') : fs.readFile(path, options)),
    readFileBuffer: (path) => (device(path) ? Promise.resolve(new Uint8Array(0)) : fs.readFileBuffer(path)),
    writeFile: (path, content, options) => {
      const target = device(path);
      return target ? write(target, content) : fs.writeFile(path, content, options);
    },
    appendFile: (path, content, options) => {
      const target = device(path);
      return target ? write(target, content) : fs.appendFile(path, content, options);
    },
    exists: (path) => (device(path) ? Promise.resolve(true) : fs.exists(path)),
    stat: (path) => (device(path) ? Promise.resolve(deviceStat(path)) : fs.stat(path)),
    lstat: (path) => (device(path) ? Promise.resolve(deviceStat(path)) : fs.lstat(path)),
    realpath: (path) => (device(path) ? Promise.resolve(normalizePath(path)) : fs.realpath(path)),
    mkdir: (path, options) =>
      device(path)
        ? Promise.reject(shellFsError('EEXIST', `file already exists, mkdir '${normalizePath(path)}'`))
        : fs.mkdir(path, options),
    readdir: (path) =>
      device(path)
        ? Promise.reject(shellFsError('ENOTDIR', `not a directory, scandir '${normalizePath(path)}'`))
        : fs.readdir(path),
    readdirWithFileTypes: (path) =>
      device(path)
        ? Promise.reject(shellFsError('ENOTDIR', `not a directory, scandir '${normalizePath(path)}'`))
        : fs.readdirWithFileTypes!(path),
    rm: (path, options) => (device(path) ? refuse(path, 'rm') : fs.rm(path, options)),
    mv: (src, dest) => ((device(src) ?? device(dest)) ? refuse(device(src) ? src : dest, 'rename') : fs.mv(src, dest)),
    // Copying from or to a device is reading one and writing the other, through the devices' own rules.
    cp: async (src, dest, options) => {
      const target = device(dest);
      if (!device(src) && !target) return fs.cp(src, dest, options);
      const content = device(src) ? new Uint8Array(0) : await fs.readFileBuffer(src);
      return target ? write(target, content) : fs.writeFile(dest, content);
    },
    chmod: (path, mode) => (device(path) ? Promise.resolve() : fs.chmod(path, mode)),
    utimes: (path, atime, mtime) => (device(path) ? Promise.resolve() : fs.utimes(path, atime, mtime)),
  };
}
