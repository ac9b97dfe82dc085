import assert from "node:assert/strict";
import { runPeer } from "../../bench/peer.ts";
import { ignoreTorch } from "./pytorch/_torch.ts";

Deno.test({
  name: "runPeer() measures a registered model with bench/pytorch/peer.py, profile included",
  ignore: ignoreTorch,
  async fn() {
    const lines: string[] = [];
    const out = await runPeer(["resnet20"], 8, 1, 1, (l) => lines.push(l), {
      steps: 1,
      profile: true,
    });
    assert.deepEqual(lines, []);
    assert.deepEqual([...out.keys()], ["resnet20"]);
    const r = out.get("resnet20")!;
    for (const v of [r.train, r.infer, r.rssMb]) assert.ok(v > 0 && Number.isFinite(v), `${v}`);
    const ops = r.profile?.ops.map((o) => o.name) ?? [];
    assert.ok(ops.includes("aten::convolution_backward"), ops.join(", "));
  },
});
