// Validates rendered Kubernetes manifests offline against the API schemas: the Kubernetes ones
// (kubernetes-models), KEDA's (@kubernetes-models/keda) and Strimzi's
// (@kubernetes-models/strimzi-kafka-operator), all pinned by package-lock.json.
//
//   kustomize build deploy/k8s/overlays/production | node deploy/k8s/validate.mjs
//   node deploy/k8s/validate.mjs rendered.yaml [more.yaml ...]
//
// Prints one line per document and exits 1 if any fails: a schema error, or a kind no package
// models (an unknown kind is never waved through). The Kubernetes schemas allow fields they do not
// name, so a misspelt optional field passes here: tests/unit/test_k8s_manifests.py reads the ones
// that matter (probes, security context, resources, env, ...) by name.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// The package that models each API group; the core group ("v1") has no group name.
const PACKAGE_OF_GROUP = {
  "keda.sh": "@kubernetes-models/keda",
  "eventing.keda.sh": "@kubernetes-models/keda",
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "core.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
};

function modulePath(apiVersion) {
  const slash = apiVersion.lastIndexOf("/");
  if (slash < 0) return `kubernetes-models/${apiVersion}`;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const pkg = PACKAGE_OF_GROUP[group] ?? "kubernetes-models";
  return `${pkg}/${group}/${version}`;
}

async function modelOf(apiVersion, kind) {
  const path = `${modulePath(apiVersion)}/${kind}`;
  try {
    const module = await import(path);
    if (typeof module[kind] === "function") return module[kind];
  } catch (error) {
    if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && error.code !== "ERR_MODULE_NOT_FOUND") {
      throw error;
    }
  }
  return null;
}

function describe(document) {
  const namespace = document?.metadata?.namespace ? `${document.metadata.namespace}/` : "";
  return `${document?.kind ?? "?"} ${namespace}${document?.metadata?.name ?? "?"}`;
}

// kustomize wraps the base64 of long Secret values over several lines; the API server's decoder
// (Go's encoding/base64) skips line breaks, the schema's "byte" format does not: join them first.
function withUnwrappedBase64(document) {
  const base64Fields = { Secret: ["data"], ConfigMap: ["binaryData"] }[document.kind] ?? [];
  const fields = base64Fields.filter((field) => document[field]);
  if (fields.length === 0) return document;
  const unwrapped = { ...document };
  for (const field of fields) {
    unwrapped[field] = Object.fromEntries(
      Object.entries(document[field]).map(([key, value]) => [key, String(value).replace(/[\r\n]/g, "")]),
    );
  }
  return unwrapped;
}

async function problemsOf(document) {
  if (!document || typeof document !== "object") return "not a mapping";
  const { apiVersion, kind } = document;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return "no apiVersion or kind";
  const Model = await modelOf(apiVersion, kind);
  if (!Model) return `unknown kind ${apiVersion} ${kind}: no schema for it`;
  try {
    new Model(withUnwrappedBase64(document)).validate();
    return null;
  } catch (error) {
    return error.message;
  }
}

function readInputs(paths) {
  if (paths.length === 0) return [readFileSync(0, "utf8")];
  return paths.map((path) => readFileSync(path, "utf8"));
}

let failures = 0;
let checked = 0;
for (const text of readInputs(process.argv.slice(2))) {
  for (const parsed of parseAllDocuments(text)) {
    if (parsed.errors.length > 0) {
      failures += 1;
      console.log(`FAIL yaml: ${parsed.errors[0].message}`);
      continue;
    }
    const document = parsed.toJS();
    if (document === null) continue; // an empty document between two separators
    checked += 1;
    const problem = await problemsOf(document);
    if (problem) failures += 1;
    console.log(problem ? `FAIL ${describe(document)}: ${problem}` : `ok ${describe(document)}`);
  }
}
console.log(`${checked} documents, ${failures} failed`);
process.exit(failures > 0 || checked === 0 ? 1 : 0);
