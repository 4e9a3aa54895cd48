import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { MetaledgerError } from '../../errors.js';

/** A path under the root that resolves outside it (through a symbolic link): never read, written or deleted. */
export class OutsideRootError extends MetaledgerError {
  constructor(readonly file: string) {
    super('FORBIDDEN', `${file} leads outside the loader's root (a symbolic link); it is not read, written or deleted`);
  }
}

/** A file that was there when found and gone when read (deleted or renamed meanwhile). */
export class FileVanishedError extends MetaledgerError {
  constructor(readonly file: string) {
    super('NOT_FOUND', `${file} was removed while it was being read`);
  }
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? '';

const missing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * The directory a file loader may touch, and the only way it touches files. Every path is resolved to
 * its real path and must stay under the root's real path (links inside the root are fine). Between that
 * check and the use a directory could be swapped for a link, so files are opened without following a
 * final link (O_NOFOLLOW) and the open descriptor is checked again (on Linux by the path the kernel
 * names for it) before a byte is read or written.
 */
export class LoaderRoot {
  readonly path: string;

  constructor(root: string) {
    this.path = resolve(root);
  }

  /** `path` relative to the root, for messages. */
  relative(path: string): string {
    return relative(this.path, path);
  }

  /** The root's real path (the root may itself be a link); its plain path while it does not exist. */
  private async real(): Promise<string> {
    try {
      return await realpath(this.path);
    } catch (error) {
      if (missing(error)) return this.path;
      throw error;
    }
  }

  private async contains(real: string): Promise<boolean> {
    const root = await this.real();
    return real === root || real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
  }

  /** The real path of an existing `path`, or OutsideRootError; a missing path rejects with its ENOENT. */
  async resolve(path: string): Promise<string> {
    // a loop of links cannot be shown to stay inside
    const real = await realpath(path).catch((error: unknown) => {
      throw code(error) === 'ELOOP' ? new OutsideRootError(this.relative(path)) : error;
    });
    if (!(await this.contains(real))) throw new OutsideRootError(this.relative(path));
    return real;
  }

  /** The descriptor must hold a file under the root, whatever happened to the path since it was checked. */
  private async checkOpened(handle: FileHandle, real: string, path: string): Promise<void> {
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened !== undefined) {
      if (!(await this.contains(opened))) throw new OutsideRootError(this.relative(path));
      return;
    }
    // no /proc: the descriptor must be the very file the real path names now
    const [held, now] = await Promise.all([handle.stat(), stat(real).catch(() => undefined)]);
    if (!now || held.ino !== now.ino || held.dev !== now.dev) throw new OutsideRootError(this.relative(path));
  }

  /** Reads a whole file under the root, with the stats of what was read. */
  async read(path: string): Promise<{ bytes: Buffer; stat: Stats }> {
    let handle: FileHandle;
    let real: string;
    try {
      real = await this.resolve(path);
      handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if (missing(error)) throw new FileVanishedError(this.relative(path));
      // O_NOFOLLOW: the file became a link since it was resolved
      if (code(error) === 'ELOOP') throw new OutsideRootError(this.relative(path));
      throw error;
    }
    try {
      await this.checkOpened(handle, real, path);
      const info = await handle.stat();
      return { bytes: await handle.readFile(), stat: info };
    } finally {
      await handle.close();
    }
  }

  /** A directory directly under the root (a type folder), made if missing; its real path. */
  private async directory(path: string): Promise<string> {
    await mkdir(this.path, { recursive: true });
    try {
      return await this.resolve(path);
    } catch (error) {
      if (!missing(error)) throw error;
    }
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return this.resolve(path);
  }

  /**
   * Writes the whole file or nothing: the text goes to a hidden temp file beside the target (created
   * new, never through a link), is flushed, and is renamed over the target.
   */
  async write(path: string, text: string): Promise<void> {
    const folder = await this.directory(dirname(path));
    const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    try {
      await this.checkOpened(handle, temp, path);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } catch (error) {
      // the temp file is ours (and empty when the check failed): remove it wherever a swap put it
      const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => temp);
      await handle.close();
      await rm(opened, { force: true }).catch(() => {});
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, join(folder, basename(path)));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Removes a file under the root; a link is removed itself, and only when it stays inside the root. */
  async remove(path: string): Promise<void> {
    const target = join(await this.resolve(dirname(path)), basename(path));
    const info = await lstat(target).catch((error) => {
      if (missing(error)) return undefined;
      throw error;
    });
    if (!info) return;
    if (info.isSymbolicLink()) await this.resolve(target);
    await unlink(target);
  }
}
