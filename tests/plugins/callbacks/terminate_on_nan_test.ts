import assert from "node:assert/strict";
import { terminateOnNan } from "../../../plugins/callbacks/terminate_on_nan.ts";
import { drive, fakeRun } from "../_context.ts";

const nanStop = (options = {}) => terminateOnNan.create(terminateOnNan.schema.parse(options));

Deno.test("terminateOnNan stops at the first epoch whose val_loss is NaN, naming metric and epoch", async () => {
  const fake = fakeRun({ epochs: 10 });
  const ran = await drive(nanStop(), [{}, {}, { val_loss: NaN }, {}], fake);
  assert.equal(ran.length, 3);
  assert.deepEqual(fake.stops, ["callbacks/terminate-on-nan: val_loss is NaN after epoch 3/10"]);
});

Deno.test("terminateOnNan stops on an infinite loss and keeps finite runs going", async () => {
  const fake = fakeRun({ epochs: 10 });
  await drive(nanStop(), [{}, { loss: Infinity }], fake);
  assert.match(fake.stops[0], /loss is Infinity after epoch 2\/10/);

  const fine = fakeRun();
  await drive(nanStop(), [{}, { loss: 1e30 }, {}], fine);
  assert.deepEqual(fine.stops, []);
});

Deno.test("terminateOnNan watches only the metrics it is given", async () => {
  const fake = fakeRun();
  await drive(nanStop({ metrics: ["loss"] }), [{ val_loss: NaN }], fake);
  assert.deepEqual(fake.stops, []);
});
