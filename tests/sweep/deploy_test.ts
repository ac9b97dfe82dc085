import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { parseCommandLine } from "../../tasks/args.ts";
import { worker as workerCommand } from "../../tasks/commands/worker.ts";

const taskCommand: string = JSON.parse(await Deno.readTextFile("deno.json")).tasks.worker.command;

Deno.test("the Slurm script is valid bash and starts the worker exactly as `deno task worker` does", async () => {
  const script = await Deno.readTextFile("deploy/slurm/workers.sbatch");
  const check = await new Deno.Command("bash", { args: ["-n", "deploy/slurm/workers.sbatch"] })
    .output();
  assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
  assert.match(script, /^#SBATCH --array=\d+-\d+$/m);
  const exec = script.slice(script.indexOf("exec deno run")).replace(/\\\n\s*/g, "").split("\n")[0];
  assert.ok(exec.startsWith(`exec ${taskCommand} `), exec);
  const args = exec.slice(`exec ${taskCommand} `.length).split(/\s+/).map((a) =>
    a.replace(/"/g, "")
  );
  const { values } = parseCommandLine(workerCommand, args);
  assert.deepEqual(Object.keys(values).sort(), ["idle-exit", "queue", "runs", "threads"]);
});

Deno.test("the Kubernetes manifest runs the worker as `deno task worker` does, against its Redis service", async () => {
  const docs = parseAllDocuments(await Deno.readTextFile("deploy/kubernetes/workers.yaml"));
  for (const d of docs) assert.deepEqual(d.errors, []);
  const objects = docs.map((d) => d.toJS());
  assert.deepEqual(objects.map((o) => o.kind), [
    "PersistentVolumeClaim",
    "Deployment",
    "Service",
    "Job",
  ]);
  const job = objects[3];
  assert.equal(job.spec.completionMode, "Indexed");
  const [worker] = job.spec.template.spec.containers;
  assert.equal(worker.command.join(" "), taskCommand);
  const { values } = parseCommandLine(workerCommand, worker.args);
  assert.equal(
    values.queue,
    `redis://${objects[2].metadata.name}:${objects[2].spec.ports[0].port}`,
  );
  assert.equal(values.runs, worker.volumeMounts[0].mountPath);
  assert.equal(values.threads, "$(OMP_NUM_THREADS)"); // Kubernetes expands it from the env below
  assert.ok(worker.env.some((e: { name: string }) => e.name === "OMP_NUM_THREADS"));
  assert.deepEqual(objects[1].spec.template.spec.containers[0].args.slice(0, 2), [
    "--appendonly",
    "yes",
  ]);
});
