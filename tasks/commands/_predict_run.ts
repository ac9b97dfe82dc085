/**
 * The work of `deno task predict`, loaded only when it runs (tasks/commands/predict.ts
 * declares the command; the launcher reads only the declaration).
 * @module
 */
import { type BackendName, selectBackend } from "../../backends/mod.ts";
import {
  decodeImage,
  loadRun,
  predict,
  type Prediction,
  readImageFile,
  type RgbImage,
} from "../../inference/mod.ts";
import { UserError } from "../../core/errors.ts";
import { ConfigError } from "../../experiment/config_error.ts";

/** One classified file. */
interface FileResult {
  readonly file: string;
  readonly top: Prediction["top"];
}

export async function predictRun(
  values: { top?: string; checkpoint?: string; backend?: string; json?: boolean },
  positionals: readonly string[],
): Promise<number> {
  if (positionals.length < 2) {
    throw new ConfigError("predict: give a run directory and one or more image files");
  }
  const [dir, ...files] = positionals;
  const slot = values.checkpoint ?? "best";
  if (slot !== "best" && slot !== "last") {
    throw new ConfigError(`predict --checkpoint: must be 'best' or 'last', got '${slot}'`);
  }
  const top = Number(values.top ?? "3");
  await selectBackend((values.backend ?? "cpu") as BackendName);
  const run = await loadRun(dir, { checkpoint: slot });
  try {
    const classes = run.classNames.length;
    if (!Number.isInteger(top) || top < 1 || top > classes) {
      throw new ConfigError(
        `predict --top: must be an integer in [1, ${classes}], got '${values.top}'`,
      );
    }
    const images: { file: string; image: RgbImage }[] = [];
    const errors: { file: string; error: string }[] = [];
    for (const file of files) {
      try {
        images.push({ file, image: decodeImage(await readImageFile(file), file) });
      } catch (e) {
        // One bad file (missing, a FIFO, too large, a bomb, corrupt) never stops the others.
        if (
          !(e instanceof UserError || e instanceof Deno.errors.NotFound ||
            e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.PermissionDenied)
        ) {
          throw e;
        }
        const why = e instanceof UserError
          ? e.message
          : `Cannot read image '${file}': ${
            e instanceof Deno.errors.NotFound ? "no such file" : e.message
          }`;
        errors.push({ file, error: why });
      }
    }
    const predictions = await predict(run.model, images.map((i) => i.image), {
      top,
      classNames: run.classNames,
    });
    const results: FileResult[] = images.map((img, i) => ({
      file: img.file,
      top: predictions[i].top,
    }));
    if (values.json) {
      console.log(
        JSON.stringify({ run: dir, checkpoint: slot, predictions: results, errors }, null, 2),
      );
    } else {
      for (const r of results) {
        const classes = r.top.map((c) => `${c.className} ${(100 * c.probability).toFixed(1)}%`);
        console.log(`${r.file}: ${classes.join(", ")}`);
      }
    }
    for (const e of errors) console.error(`error: ${e.error}`);
    return errors.length ? 1 : 0;
  } finally {
    run.model.dispose();
  }
}
