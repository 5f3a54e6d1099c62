// Shared by the unit tests: reach into rendered objects without repeating the paths.
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1PodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IIoK8sApiCoreV1PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { visitsManifests } from '../src/visits.js';
import type { VisitsProps } from '../src/props.js';

export function render(props: VisitsProps = {}) {
  return visitsManifests(props);
}

export function statefulSetSpec(props: VisitsProps = {}) {
  const spec = render(props).statefulSet.spec;
  if (!spec) throw new Error('StatefulSet has no spec');
  return spec;
}

export function podTemplate(props: VisitsProps = {}): IIoK8sApiCoreV1PodTemplateSpec {
  return statefulSetSpec(props).template;
}

export function podSpec(props: VisitsProps = {}): IIoK8sApiCoreV1PodSpec {
  const spec = podTemplate(props).spec;
  if (!spec) throw new Error('pod template has no spec');
  return spec;
}

export function mainContainer(props: VisitsProps = {}): IIoK8sApiCoreV1Container {
  const container = podSpec(props).containers[0];
  if (!container) throw new Error('pod template has no container');
  return container;
}

/** Whether `labels` satisfies a `matchLabels` selector. */
export function matches(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}
