/** `deno task train …` as a child process of a test, and its end. */

/** Starts `tasks/cli.ts train ARGS` with all permissions; stderr is kept, stdout dropped. */
export function trainChild(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/cli.ts", "train", ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** The exit code and standard error of `child`, once it has ended. */
export async function finish(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
  return { code: status.code, stderr: err };
}
