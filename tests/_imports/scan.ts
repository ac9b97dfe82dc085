/**
 * Finds the module specifiers a TypeScript source file imports: static
 * `import … from`, side-effect `import "…"`, `export … from` and dynamic
 * `import("…")`. A small tokenizer skips comments, strings, template
 * literals and regular expressions first, so an import written in a doc
 * comment's example or inside a string is not mistaken for a real one.
 * @module
 */

/** One import of a source file. */
export interface ImportRef {
  /** The specifier as written, or undefined for `import(expr)` with a computed specifier. */
  readonly specifier: string | undefined;
  /** 1-based line of the `import`/`export` keyword. */
  readonly line: number;
  /** True when only types are imported (`import type`, `export type`, all names `type`-marked). */
  readonly typeOnly: boolean;
  /** Which form: `import`, `export` (re-export) or `dynamic`. */
  readonly kind: "import" | "export" | "dynamic";
}

interface Token {
  readonly kind: "id" | "str" | "punct" | "template" | "regex" | "num";
  readonly value: string;
  readonly line: number;
}

const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

/**
 * Splits source into tokens, dropping comments; template literals become one
 * token each. The text of each template piece (between backticks and `${…}`)
 * goes to `pieces` when given.
 */
function tokenize(src: string, pieces?: StringPiece[]): Token[] {
  const out: Token[] = [];
  // Brace depth at which each open template's `${` began, innermost last.
  const templates: number[] = [];
  let depth = 0;
  let line = 1;
  let i = 0;
  const isIdStart = (c: string) => /[A-Za-z_$\u0080-\uffff]/.test(c);
  const isId = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
  const regexAllowed = () => {
    const prev = out[out.length - 1];
    if (prev === undefined) return true;
    if (prev.kind === "id") return REGEX_AFTER_WORD.has(prev.value);
    if (prev.kind === "punct") return !/^[)\]]$/.test(prev.value);
    return false;
  };
  // Scans a template's text from i (just after ` or }) to its end or its next `${`.
  const templateText = (startLine: number) => {
    const from = i, pieceLine = line;
    const piece = () => pieces?.push({ value: src.slice(from, i), line: pieceLine });
    while (i < src.length) {
      const c = src[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        piece();
        i++;
        out.push({ kind: "template", value: "`", line: startLine });
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        piece();
        i += 2;
        templates.push(depth);
        depth++;
        return;
      } else {
        if (c === "\n") line++;
        i++;
      }
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === "\n") line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== c && src[j] !== "\n") {
        if (src[j] === "\\") {
          value += src[j + 1] ?? "";
          j += 2;
        } else value += src[j++];
      }
      out.push({ kind: "str", value, line });
      pieces?.push({ value, line });
      i = j + 1;
    } else if (c === "`") {
      i++;
      templateText(line);
    } else if (c === "}" && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      i++;
      templateText(line);
    } else if (c === "/" && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== "\n") {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        else if (src[j] === "/" && !inClass) break;
        j++;
      }
      j++;
      while (j < src.length && isId(src[j])) j++;
      out.push({ kind: "regex", value: src.slice(i, j), line });
      i = j;
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (j < src.length && isId(src[j])) j++;
      out.push({ kind: "id", value: src.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_.]/.test(src[j])) j++;
      out.push({ kind: "num", value: src.slice(i, j), line });
      i = j;
    } else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      out.push({ kind: "punct", value: c, line });
      i++;
    }
  }
  return out;
}

/** The text of a string literal, or of one piece of a template literal between its `${…}`. */
export interface StringPiece {
  /** The text (a template piece as written, escapes kept). */
  readonly value: string;
  /** 1-based line where it starts. */
  readonly line: number;
}

/**
 * The string literals of a source file and the pieces of its template
 * literals, in order; comments, regular expressions and code are skipped.
 * @example
 * ```ts
 * import { findStrings } from "./scan.ts";
 * const s = findStrings('// "no"\nconst p = `${dir}/a.csv`; f("b");').map((p) => p.value);
 * if (s.join("|") !== "|/a.csv|b") throw new Error(s.join("|"));
 * ```
 */
export function findStrings(source: string): StringPiece[] {
  const pieces: StringPiece[] = [];
  tokenize(source, pieces);
  return pieces;
}

/** Whether tokens [from, to) are `{ type A, type B as C }`: every name type-marked. */
function allNamesTypeOnly(t: Token[], from: number, to: number): boolean {
  if (t[from]?.value !== "{") return false;
  let names = 0;
  let expectName = true;
  for (let k = from + 1; k < to && t[k].value !== "}"; k++) {
    if (expectName) {
      if (t[k].value !== "type" || t[k + 1]?.value === "," || t[k + 1]?.value === "}") return false;
      names++;
      expectName = false;
    } else if (t[k].value === ",") expectName = true;
  }
  return names > 0;
}

/**
 * The imports of one source file, in order.
 * @example
 * ```ts
 * import { findImports } from "./scan.ts";
 * const refs = findImports('import type { A } from "./a.ts";\nconst b = await import("./b.ts");');
 * if (refs.length !== 2 || !refs[0].typeOnly || refs[1].kind !== "dynamic") throw new Error();
 * ```
 */
export function findImports(source: string): ImportRef[] {
  const t = tokenize(source);
  const refs: ImportRef[] = [];
  for (let i = 0; i < t.length; i++) {
    const tok = t[i];
    if (tok.kind !== "id" || (tok.value !== "import" && tok.value !== "export")) continue;
    if (i > 0 && t[i - 1].value === ".") continue; // obj.import
    const next = t[i + 1];
    if (next === undefined) continue;
    if (tok.value === "import" && next.value === "(") {
      const arg = t[i + 2];
      const literal = arg?.kind === "str" && [")", ","].includes(t[i + 3]?.value);
      refs.push({
        specifier: literal ? arg.value : undefined,
        line: tok.line,
        typeOnly: false,
        kind: "dynamic",
      });
      continue;
    }
    if (tok.value === "import" && next.value === ".") continue; // import.meta
    // `{ import: 1 }` or `x.import(…)`: not an import statement.
    if (next.kind !== "id" && next.kind !== "str" && next.value !== "{" && next.value !== "*") {
      continue;
    }
    if (tok.value === "import" && next.kind === "str") {
      refs.push({ specifier: next.value, line: tok.line, typeOnly: false, kind: "import" });
      continue;
    }
    // `import type X from`, `export type {`; but `import type from "x"` imports a default named type.
    const typeKw = next.value === "type" && !["from", ",", "="].includes(t[i + 2]?.value);
    const head = typeKw ? i + 2 : i + 1;
    if (tok.value === "export" && t[head]?.value !== "*" && t[head]?.value !== "{") continue;
    // Find `from "…"` at brace depth 0 before the statement ends.
    let braces = 0;
    let k = head;
    for (; k < t.length; k++) {
      const v = t[k].value;
      if (t[k].kind === "punct") {
        if (v === "{") braces++;
        else if (v === "}") braces--;
        else if (v === ";" && braces === 0) break;
      }
      if (braces === 0 && t[k].kind === "id" && v === "from" && t[k + 1]?.kind === "str") break;
      // A statement without `from` (export { a }; import x = …) ends at the next keyword.
      if (k > head && braces === 0 && t[k].kind === "id" && /^(import|export)$/.test(v)) break;
    }
    if (t[k]?.value !== "from" || t[k + 1]?.kind !== "str") continue;
    refs.push({
      specifier: t[k + 1].value,
      line: tok.line,
      typeOnly: typeKw || allNamesTypeOnly(t, head, k),
      kind: tok.value === "import" ? "import" : "export",
    });
  }
  return refs;
}
