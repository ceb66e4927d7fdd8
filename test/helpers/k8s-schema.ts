import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";

/**
 * Offline validation of Kubernetes objects against the API's OpenAPI schemas (types, required fields,
 * enums, int32 formats), through the `kubernetes-models` package: kubectl here needs a server even for
 * `--dry-run=client`. NOTE: those schemas do not forbid unknown fields; tests check the fields they rely on.
 */
const MODELS: Record<string, new (o: object) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap as never,
  "v1/Secret": Secret as never,
  "v1/Service": Service as never,
  "apps/v1/StatefulSet": StatefulSet as never,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as never,
};

/** Throws the schema's first complaint about `obj`, or an error for a kind it does not know. */
export function validateK8sObject(obj: Record<string, unknown>): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema for ${key}`);
  new Model(obj).validate();
}
