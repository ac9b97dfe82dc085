import assert from "node:assert/strict";
import { Registry } from "../../core/mod.ts";
import { createModelRegistry } from "../../models/mod.ts";

Deno.test("Registry.register() rejects a duplicate name with a TypeError", () => {
  const r = new Registry<number>("model").register("a", 1);
  assert.throws(() => r.register("a", 2), {
    name: "TypeError",
    message: /'a'.*already registered/,
  });
});

Deno.test("Registry.get() suggests the closest name and lists all for an unknown one", () => {
  const models = createModelRegistry();
  assert.throws(() => models.get("resnt18"), (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /^Unknown model 'resnt18'\. Did you mean 'resnet18'/);
    assert.match(e.message, /Available: baseline_cnn, mini_resnet, resnet18, resnet18_noskip/);
    return true;
  });
  assert.throws(() => models.get("transformer"), {
    message: /Unknown model 'transformer'\. Available:/,
  });
});

Deno.test("Registry has(), names() and list(filter) agree with what was registered", () => {
  const r = new Registry<number>("thing").register("one", 1).register("two", 2).register(
    "three",
    3,
  );
  assert.equal(r.has("two"), true);
  assert.equal(r.has("four"), false);
  assert.deepEqual(r.names(), ["one", "two", "three"]);
  assert.deepEqual(r.list((_, v) => v % 2 === 1), [["one", 1], ["three", 3]]);
});
