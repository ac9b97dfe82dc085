/**
 * Test helper: Debian's Python with PyTorch and NumPy (`apt-get install
 * python3-torch`), which bench/peer.ts runs the PyTorch peers under. Without
 * them the peer tests are ignored and say why, unless
 * `SKIPLAB_REQUIRE_TORCH=1` (set by .ci/run once it has installed them),
 * where a missing interpreter or module fails.
 * @module
 */
import { fileURLToPath } from "node:url";

/** Set (to 1) where python3-torch was installed for the tests: skipping is an error. */
const REQUIRED = "SKIPLAB_REQUIRE_TORCH";

/** The interpreter bench/peer.ts tries first: Debian's, which carries python3-torch. */
export const PYTHON = "/usr/bin/python3";

/** Absolute path of a file in bench/pytorch/, e.g. `zoo.py`. */
export function peerScript(name: string): string {
  return fileURLToPath(new URL(`../../../bench/pytorch/${name}`, import.meta.url));
}

function whyMissing(): string | null {
  try {
    const probe = new Deno.Command(PYTHON, {
      args: ["-c", "import torch, numpy"],
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    if (probe.success) return null;
    const err = new TextDecoder().decode(probe.stderr).trim().split("\n").at(-1);
    return `${PYTHON} cannot import torch and numpy (${err}; apt-get install -y python3-torch)`;
  } catch {
    return `no ${PYTHON} (apt-get install -y python3-torch)`;
  }
}

const why = whyMissing();
if (why !== null) {
  if (Deno.env.get(REQUIRED) === "1") throw new Error(`${REQUIRED}=1 but ${why}`);
  console.log(`skipping pytorch peer tests: ${why}`);
}

/** True when the PyTorch peer tests must be ignored (no torch for {@link PYTHON}). */
export const ignoreTorch: boolean = why !== null;
