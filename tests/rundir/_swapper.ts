/**
 * Child process of atomic_test.ts: replaces `<dir>/slot` forever with a
 * folder of three files that all hold the same counter, until killed.
 * @module
 */
import { replaceDirAtomic, writeFileAtomic, writeFileSynced } from "../../rundir/atomic.ts";

const dir = Deno.args[0];
// Counters go on from the last child's, so a test can tell old copies from new.
const from = await Deno.readTextFile(`${dir}/progress`).then(Number, () => -1);
for (let n = from + 1;; n++) {
  await replaceDirAtomic(`${dir}/slot`, async (tmp) => {
    for (const f of ["a", "b", "c"]) await writeFileSynced(`${tmp}/${f}`, `${n}\n`.repeat(2000));
  });
  // Atomic too: a counter cut in half ("4" of "48") would send the next child back.
  await writeFileAtomic(`${dir}/progress`, `${n}`);
}
