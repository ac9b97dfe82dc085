import assert from "node:assert/strict";
import { cutout } from "../../../plugins/augment/mod.ts";
import { run } from "./_batch.ts";

Deno.test("cutout blanks one size×size square to 0 per image", async () => {
  const { before, after } = await run(cutout.create(cutout.schema.parse({ size: 4 })), 4);
  const plain = before.arraySync();
  after.forEach((img, i) => {
    let zeroed = 0;
    img.forEach((row, y) =>
      row.forEach((px, x) => {
        if (px.every((v) => v === 0) && plain[i][y][x].some((v) => v !== 0)) zeroed++;
        else assert.deepEqual(px, plain[i][y][x]);
      })
    );
    assert.ok(zeroed > 0 && zeroed <= 16, `image ${i}: ${zeroed} pixels cut`);
  });
  before.dispose();
});
