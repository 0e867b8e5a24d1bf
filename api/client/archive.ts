/**
 * Zips a local directory for `POST /upload`, leaving out what the exclusion list excludes
 * (exclusions.ts), every symbolic link (never followed, whatever it points at) and anything that is
 * not a regular file or directory. Entries are deflated one file at a time with zlib and written
 * to a file; Unix permissions are kept (so `mvnw`/`gradlew` stay executable).
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, writeSync, type Stats } from "node:fs";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { excludedBy, type ExclusionPattern } from "./exclusions";

export interface SelectedFile {
    /** Relative path with "/" separators. */
    path: string;
    absolute: string;
    stats: Stats;
}

export interface Selection {
    files: SelectedFile[];
    /** Excluded entries per reason: `pattern <p>`, `symbolic link`, `not a regular file`. A directory counts once. */
    excluded: Record<string, number>;
    excludedTotal: number;
}

/** Walks `root` without following symbolic links and applies the exclusion rules by name. */
export function selectFiles(root: string, patterns: ExclusionPattern[]): Selection {
    const selection: Selection = { files: [], excluded: {}, excludedTotal: 0 };
    const exclude = (reason: string) => {
        selection.excluded[reason] = (selection.excluded[reason] ?? 0) + 1;
        selection.excludedTotal++;
    };
    const walk = (dir: string, prefix: string) => {
        const names = readdirSync(dir).sort();
        for (const name of names) {
            const absolute = join(dir, name);
            const stats = lstatSync(absolute);
            const path = prefix ? `${prefix}/${name}` : name;
            if (stats.isSymbolicLink()) {
                exclude("symbolic link");
                continue;
            }
            const isDirectory = stats.isDirectory();
            const pattern = excludedBy(patterns, name, isDirectory);
            if (pattern) exclude(`pattern ${pattern.source}`);
            else if (isDirectory) walk(absolute, path);
            else if (stats.isFile()) selection.files.push({ path, absolute, stats });
            else exclude("not a regular file");
        }
    };
    walk(root, "");
    return selection;
}

function dosDateTime(date: Date): { time: number; date: number } {
    const year = Math.max(1980, date.getFullYear());
    return {
        time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
        date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
    };
}

const maxEntries = 0xffff;
const maxOffset = 0xffffffff;

/** Writes the selected files as a zip archive to `outFile`; answers its size in bytes. */
export function writeZip(files: SelectedFile[], outFile: string): number {
    if (files.length > maxEntries)
        throw new Error(`too many files for a zip without ZIP64 (${files.length} > ${maxEntries})`);
    const fd = openSync(outFile, "w", 0o600);
    let offset = 0;
    const write = (buffer: Buffer) => {
        writeSync(fd, buffer);
        offset += buffer.length;
    };
    const central: Buffer[] = [];
    try {
        for (const file of files) {
            const data = readFileSync(file.absolute);
            const deflated = deflateRawSync(data);
            const stored = deflated.length >= data.length;
            const body = stored ? data : deflated;
            const name = Buffer.from(file.path, "utf8");
            const crc = crc32(data);
            const { time, date } = dosDateTime(file.stats.mtime);
            if (offset + 30 + name.length + body.length > maxOffset)
                throw new Error("archive larger than 4 GiB (ZIP64 not supported)");
            const local = Buffer.alloc(30);
            local.writeUInt32LE(0x04034b50, 0);
            local.writeUInt16LE(20, 4); // version needed: 2.0
            local.writeUInt16LE(0x0800, 6); // UTF-8 names
            local.writeUInt16LE(stored ? 0 : 8, 8);
            local.writeUInt16LE(time, 10);
            local.writeUInt16LE(date, 12);
            local.writeUInt32LE(crc, 14);
            local.writeUInt32LE(body.length, 18);
            local.writeUInt32LE(data.length, 22);
            local.writeUInt16LE(name.length, 26);
            local.writeUInt16LE(0, 28);
            const entryOffset = offset;
            write(local);
            write(name);
            write(body);
            const header = Buffer.alloc(46);
            header.writeUInt32LE(0x02014b50, 0);
            header.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, spec 2.0
            header.writeUInt16LE(20, 6);
            header.writeUInt16LE(0x0800, 8);
            header.writeUInt16LE(stored ? 0 : 8, 10);
            header.writeUInt16LE(time, 12);
            header.writeUInt16LE(date, 14);
            header.writeUInt32LE(crc, 16);
            header.writeUInt32LE(body.length, 20);
            header.writeUInt32LE(data.length, 24);
            header.writeUInt16LE(name.length, 28);
            // extra, comment, disk number, internal attributes: 0
            header.writeUInt32LE((((file.stats.mode & 0o777) | 0o100000) << 16) >>> 0, 38);
            header.writeUInt32LE(entryOffset, 42);
            central.push(header, name);
        }
        const directoryOffset = offset;
        for (const part of central) write(part);
        const directorySize = offset - directoryOffset;
        if (offset > maxOffset) throw new Error("archive larger than 4 GiB (ZIP64 not supported)");
        const end = Buffer.alloc(22);
        end.writeUInt32LE(0x06054b50, 0);
        end.writeUInt16LE(files.length, 8);
        end.writeUInt16LE(files.length, 10);
        end.writeUInt32LE(directorySize, 12);
        end.writeUInt32LE(directoryOffset, 16);
        write(end);
    } finally {
        closeSync(fd);
    }
    return offset;
}
