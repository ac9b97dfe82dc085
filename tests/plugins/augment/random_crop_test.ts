import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { randomCrop } from "../../../plugins/augment/mod.ts";
import { run } from "./_batch.ts";

Deno.test("randomCrop returns a window of the black-padded image", async () => {
  const { before, after } = await run(
    randomCrop.create(randomCrop.schema.parse({ padding: 2 })),
    3,
  );
  const padded = tf.tidy(() =>
    before.pad([[0, 0], [2, 2], [2, 2], [0, 0]], -1).arraySync()
  ) as number[][][][];
  after.forEach((img, i) => {
    const found = [0, 1, 2, 3, 4].some((oy) =>
      [0, 1, 2, 3, 4].some((ox) =>
        img.every((row, y) =>
          row.every((px, x) => px.every((v, c) => v === padded[i][oy + y][ox + x][c]))
        )
      )
    );
    assert.ok(found, `image ${i} is not a crop`);
  });
  before.dispose();
});
