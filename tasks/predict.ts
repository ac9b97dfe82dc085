/**
 * `deno task predict RUN IMAGE…`: the most probable classes of PNG and JPEG
 * files under a run's checkpoint. A file that cannot be read or decoded is
 * reported, naming it, and the others are still classified.
 * @module
 */
import { parseArgs } from "node:util";
import { type BackendName, selectBackend } from "../backends/mod.ts";
import {
  decodeImage,
  ImageDecodeError,
  loadRun,
  predict,
  type Prediction,
  type RgbImage,
} from "../inference/mod.ts";
import { ConfigError } from "./config.ts";

/** `deno task predict --help`. */
export const PREDICT_USAGE = `usage: deno task predict RUN IMAGE... [--top K] [--json] [flags]

Classifies PNG and JPEG files with a run's checkpoint. Each image is resized to
the model's input and normalised exactly as in training.

  --top K                  classes to show per image (default 3)
  --checkpoint best|last   which weights (default best)
  --backend NAME           auto|native|tensorflow|webgpu|wasm|cpu (default cpu)
  --json                   one JSON document: {"predictions": [...], "errors": [...]}

A file that is missing, empty, corrupt or not an image is reported with its name
and the others are still classified; the exit status is then 1 (0 when every
file was classified, 2 for a usage error).`;

/** One classified file. */
interface FileResult {
  readonly file: string;
  readonly top: Prediction["top"];
}

/** Runs `deno task predict` with the words after the command; returns the exit code. */
export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      top: { type: "string", default: "3" },
      checkpoint: { type: "string", default: "best" },
      backend: { type: "string", default: "cpu" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(PREDICT_USAGE);
    return 0;
  }
  if (positionals.length < 2) {
    throw new ConfigError("predict: give a run directory and one or more image files");
  }
  const [dir, ...files] = positionals;
  const slot = values.checkpoint;
  if (slot !== "best" && slot !== "last") {
    throw new ConfigError(`predict --checkpoint: must be 'best' or 'last', got '${slot}'`);
  }
  const top = Number(values.top);
  await selectBackend(values.backend as BackendName);
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
        images.push({ file, image: decodeImage(await Deno.readFile(file), file) });
      } catch (e) {
        if (
          !(e instanceof ImageDecodeError || e instanceof Deno.errors.NotFound ||
            e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.PermissionDenied)
        ) {
          throw e;
        }
        const why = e instanceof ImageDecodeError
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
