// Checks the Kubernetes and Sonobuoy files of docs/engines offline, against the Kubernetes
// API schemas that the npm package kubernetes-models ships (kubeconform would fetch its
// schemas from the network at run time). Checked: every object's kind is one we expect, each
// validates against its schema (types, required fields, enums), every volumeMount names a
// volume of its pod, and the Sonobuoy plugin's own keys have allowed values.
// Not checked: unknown fields (the schemas allow them), and anything only a cluster knows.
//
// usage: NODE_MODULES=.tools/node_modules node docs/engines/check-manifests.mjs FILE...
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.NODE_MODULES;
if (!modules) {
  console.error("check-manifests: set NODE_MODULES to the node_modules holding kubernetes-models and yaml");
  process.exit(2);
}
const load = (pkg, file) => import(pathToFileURL(join(modules, pkg, file)).href);
const YAML = await load("yaml", "dist/index.js");
const core = await load("kubernetes-models", "v1/index.js");
const batch = await load("kubernetes-models", "batch/v1/index.js");

const models = {
  "batch/v1 Job": batch.Job,
  "v1 PersistentVolumeClaim": core.PersistentVolumeClaim,
  "v1 Secret": core.Secret,
  "v1 ConfigMap": core.ConfigMap,
};

const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

function validate(where, Model, obj) {
  try {
    new Model(obj).validate();
  } catch (e) {
    problem(where, e.message);
  }
}

// Every volumeMount of every container names a volume the pod has.
function checkMounts(where, containers, volumeNames) {
  for (const c of containers ?? []) {
    for (const m of c.volumeMounts ?? []) {
      if (!volumeNames.has(m.name)) problem(where, `container ${c.name}: volumeMount ${m.name} names no volume`);
    }
  }
}

const sonobuoyKeys = new Set(["sonobuoy-config", "spec", "extra-volumes", "podSpec", "config-map"]);
const sonobuoyDrivers = new Set(["Job", "DaemonSet"]);
const sonobuoyFormats = new Set(["junit", "e2e", "raw", "manual", "gojson"]);

function checkSonobuoy(where, doc) {
  for (const k of Object.keys(doc)) if (!sonobuoyKeys.has(k)) problem(where, `unknown Sonobuoy plugin key ${k}`);
  const cfg = doc["sonobuoy-config"] ?? {};
  if (!sonobuoyDrivers.has(cfg.driver)) problem(where, `sonobuoy-config.driver ${cfg.driver}: want Job or DaemonSet`);
  if (!cfg["plugin-name"]) problem(where, "sonobuoy-config.plugin-name is missing");
  if (!sonobuoyFormats.has(cfg["result-format"])) problem(where, `sonobuoy-config.result-format ${cfg["result-format"]} is not a Sonobuoy result format`);
  const volumes = doc["extra-volumes"] ?? [];
  validate(`${where}: spec`, core.Container, doc.spec);
  for (const [i, v] of volumes.entries()) validate(`${where}: extra-volumes[${i}]`, core.Volume, v);
  // Sonobuoy adds the "results" volume it shares with its worker.
  checkMounts(where, [doc.spec], new Set(["results", ...volumes.map((v) => v.name)]));
}

for (const file of process.argv.slice(2)) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  docs.forEach((d, i) => {
    const where = `${file}#${i}`;
    if (d.errors.length) return problem(where, d.errors.map((e) => e.message).join("; "));
    const doc = d.toJSON();
    if (doc == null) return;
    if (doc["sonobuoy-config"]) return checkSonobuoy(where, doc);
    const Model = models[`${doc.apiVersion} ${doc.kind}`];
    if (!Model) return problem(where, `unexpected object ${doc.apiVersion} ${doc.kind}`);
    validate(`${where} (${doc.kind} ${doc.metadata?.name})`, Model, doc);
    if (doc.kind === "Job") {
      const pod = doc.spec?.template?.spec ?? {};
      checkMounts(where, [...(pod.containers ?? []), ...(pod.initContainers ?? [])], new Set((pod.volumes ?? []).map((v) => v.name)));
    }
  });
}

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`check-manifests: ${process.argv.length - 2} file(s) valid`);
