// A minimal ustar writer: the report's archive loaders (name.tar.ts) emit several files from one run,
// and Framework extracts each member a page asks for (FileAttachment("name/member")).
// Regular files only, names up to 100 bytes, no directories; that is all a loader needs.

export interface TarEntry {
  name: string;
  data: Uint8Array | string;
}

const BLOCK = 512;

function writeString(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > length) throw new Error(`tar: "${value}" is longer than ${length} bytes`);
  header.set(bytes, offset);
}

function writeOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

function headerFor(name: string, size: number, mtime: number): Uint8Array {
  if (!name || name.startsWith("/") || name.split("/").includes("..")) throw new Error(`tar: invalid member name "${name}"`);
  const header = new Uint8Array(BLOCK);
  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, mtime);
  header.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  header[156] = 0x30; // "0": a regular file
  writeString(header, 257, 6, "ustar\0");
  writeString(header, 263, 2, "00");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  writeString(header, 148, 8, checksum.toString(8).padStart(6, "0") + "\0 ");
  return header;
}

/** An uncompressed tar archive of `entries`, in order. */
export function tarArchive(entries: TarEntry[], {mtime = 0}: {mtime?: number} = {}): Uint8Array {
  const names = new Set<string>();
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`tar: duplicate member name "${entry.name}"`);
    names.add(entry.name);
    const data = typeof entry.data === "string" ? new TextEncoder().encode(entry.data) : entry.data;
    parts.push(headerFor(entry.name, data.length, mtime), data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
