/**
 * One idea: the selection walk's options as afclient.conf states them
 * (FilesToSkip, DirsToSkip, ExcludeListFile, FilesystemTypes, UseCTime), shared
 * by a real backup run, the --estimate dry run and the console's local estimate,
 * so that all three select alike.
 */
import type { ClientConfig } from '../../config/client-config.js';
import { mountTypeLookup } from './filesystems.js';
import type { SelectionOptions } from './selection.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

export function selectionOptionsOf(config: ClientConfig): SelectionOptions {
  return {
    filesToSkip: config.filesToSkip.map(bytes),
    dirsToSkip: config.dirsToSkip.map(bytes),
    excludeListFile: config.excludeListFile ? bytes(config.excludeListFile) : undefined,
    filesystemTypes: config.filesystemTypes,
    useCTime: config.useCTime,
    fsTypeOf: config.filesystemTypes.length > 0 ? mountTypeLookup() : undefined,
  };
}
