import assert from "node:assert/strict";
import { ignoreBrowser, withPage } from "./_browser.ts";

Deno.test({
  name: "the test browser runs scripts and reports page errors",
  ignore: ignoreBrowser,
  async fn() {
    const text = await withPage(async (page) => {
      await page.setContent("<p id=p>static</p><script>p.textContent = 'scripted'</script>");
      return await page.textContent("#p");
    });
    assert.equal(text, "scripted");
    await assert.rejects(
      withPage((page) => page.setContent("<script>throw new Error('boom')</script>")),
      /page errors: boom/,
    );
  },
});
