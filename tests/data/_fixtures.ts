/** Test helpers: tiny tar.gz archives built in memory, and the shared archive's path. */
import { fileURLToPath } from "node:url";

/** One entry of a test archive. */
export interface Entry {
  name: string;
  data?: Uint8Array;
  /** Tar type flag: "0" file, "5" folder, "2" symlink, … */
  type?: string;
  linkName?: string;
}

const encoder = new TextEncoder();

function header(e: Entry, size: number): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(512);
  const put = (s: string, at: number) => h.set(encoder.encode(s), at);
  put(e.name, 0);
  put("0000644\0", 100);
  put("0000000\0", 108);
  put("0000000\0", 116);
  put(size.toString(8).padStart(11, "0") + "\0", 124);
  put("00000000000\0", 136);
  put(e.type ?? "0", 156);
  if (e.linkName) put(e.linkName, 157);
  put("ustar\x0000", 257);
  h.fill(32, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

/** A gzip-compressed tar archive of the entries. */
export async function tarGz(entries: Entry[]): Promise<Uint8Array> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    parts.push(
      header(e, data.length),
      new Uint8Array(data),
      new Uint8Array((512 - (data.length % 512)) % 512),
    );
  }
  parts.push(new Uint8Array(1024));
  const stream = ReadableStream.from(parts).pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Entries of every file of a CIFAR folder, under `cifar-10-batches-bin/`. */
export async function folderEntries(dir: string): Promise<Entry[]> {
  const out: Entry[] = [{ name: "cifar-10-batches-bin/", type: "5" }];
  for await (const f of Deno.readDir(dir)) {
    out.push({
      name: `cifar-10-batches-bin/${f.name}`,
      data: await Deno.readFile(`${dir}/${f.name}`),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The real archive in ../shared, or undefined when this checkout has none. */
export const REAL_ARCHIVE: string | undefined = (() => {
  const path = fileURLToPath(
    new URL("../../../shared/data/cifar-10-binary.tar.gz", import.meta.url),
  );
  try {
    Deno.statSync(path);
    return path;
  } catch {
    console.log(`skipping real CIFAR-10 tests: no archive at ${path}`);
    return undefined;
  }
})();

/** md5 of the shared archive (rebuilt from a JPEG copy, so not the official one). */
export const REAL_ARCHIVE_MD5 = "285e7c5beb8b952940f451ddc0927707";

/** Names in a folder, recursively, relative to it. */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const f of Deno.readDir(dir)) {
    out.push(prefix + f.name);
    if (f.isDirectory) out.push(...await listTree(`${dir}/${f.name}`, `${prefix}${f.name}/`));
  }
  return out.sort();
}
