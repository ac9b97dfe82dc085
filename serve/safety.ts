/**
 * Path safety of the dashboard: a request names a run by its id (its path
 * under the served folder); an id that could reach outside the folder is
 * refused before any file is touched, and what an id resolves to must be
 * inside the folder after symbolic links are followed.
 * @module
 */
import { join, resolve } from "node:path";
import { isInside } from "../rundir/mod.ts";

/** A request path or run id that the dashboard refuses to resolve. */
export class RefusedPath extends Error {
  /** Refuses `what` for the reason `why`. */
  constructor(what: string, why: string) {
    super(`Refused path '${what}': ${why}`);
    this.name = "RefusedPath";
  }
}

/**
 * The decoded segments of a request's path, taken from the raw request URL
 * (Deno does not resolve `..` in it, and neither does this: it refuses it).
 * @throws {RefusedPath} for a `.` or `..` segment, plain or percent-encoded,
 * an encoded `/`, `\` or NUL, or an undecodable escape.
 */
export function pathSegments(rawUrl: string): string[] {
  const afterHost = rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  const path = afterHost.split(/[?#]/)[0];
  return path.split("/").slice(1).map((raw) => {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw new RefusedPath(path, `'${raw}' is not a valid percent-encoding`);
    }
    if (s === "." || s === "..") throw new RefusedPath(path, "'.' and '..' are not allowed");
    if (/[/\\\0]/.test(s)) {
      throw new RefusedPath(path, "a segment must not hold '/', '\\' or NUL, encoded or not");
    }
    return s;
  });
}

/**
 * Checks a run id (`suite/member`, `/`-separated, relative) and returns its
 * parts; ids come from the client, so the rules of {@linkcode pathSegments}
 * apply to every part.
 * @throws {RefusedPath} for an empty, absolute or dotted id.
 */
export function idParts(id: string): string[] {
  const parts = id.split("/");
  if (id === "" || parts.some((p) => p === "")) {
    throw new RefusedPath(id, "a run id is a relative path without empty parts");
  }
  for (const p of parts) {
    if (p === "." || p === "..") throw new RefusedPath(id, "'.' and '..' are not allowed");
    if (/[\\\0]/.test(p) || /^[a-z]:/i.test(p)) {
      throw new RefusedPath(id, "a run id must not hold '\\', NUL or a drive");
    }
  }
  return parts;
}

/**
 * The real path of run id `id` under `realRoot` (itself a real path).
 * @throws {RefusedPath} when the id breaks {@linkcode idParts}'s rules or
 * resolves (through a link) outside the root.
 * @throws {Deno.errors.NotFound} when nothing is there.
 */
export async function resolveId(realRoot: string, id: string): Promise<string> {
  const target = await Deno.realPath(join(realRoot, ...idParts(id)));
  if (!isInside(resolve(realRoot), target) || target === realRoot) {
    throw new RefusedPath(id, "it resolves outside the served folder");
  }
  return target;
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether a request's `Host` header names this machine's loopback
 * (`localhost`, `127.0.0.1` or `[::1]`, with or without a port). A
 * dashboard bound to loopback answers only those: a page on another site
 * whose name the attacker re-points at 127.0.0.1 (DNS rebinding) sends its
 * own name, and is refused.
 */
export function isLoopbackHost(host: string | null): boolean {
  if (host === null) return false;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  return m !== null && LOOPBACK_NAMES.has(m[1]);
}
