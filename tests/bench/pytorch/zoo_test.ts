import assert from "node:assert/strict";
import { buildModel, createModelRegistry, summarizeModel } from "../../../models/mod.ts";
import { ignoreTorch, peerScript, PYTHON } from "./_torch.ts";

interface PeerModel {
  model: string;
  params: number;
  flops: number;
  depth: number;
}

Deno.test({
  name: "zoo.py builds every registered model with skiplab's parameters, FLOPs and depth",
  ignore: ignoreTorch,
  async fn() {
    const ran = await new Deno.Command(PYTHON, {
      args: [peerScript("zoo.py")],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(ran.success, new TextDecoder().decode(ran.stderr));
    const peers: PeerModel[] = new TextDecoder().decode(ran.stdout).trim().split("\n")
      .map((line) => JSON.parse(line));
    // A model registered in skiplab without a PyTorch peer (or the other way) fails here.
    assert.deepEqual(peers.map((p) => p.model).sort(), [...createModelRegistry().names()].sort());
    for (const peer of peers) {
      const model = buildModel(peer.model);
      try {
        const s = summarizeModel(model);
        // FLOPs and depth catch what a parameter count cannot: a stride or pooling misplaced.
        assert.deepEqual(
          { model: peer.model, params: s.trainableParams, flops: s.flops, depth: s.depth },
          peer,
        );
      } finally {
        model.dispose();
      }
    }
  },
});
