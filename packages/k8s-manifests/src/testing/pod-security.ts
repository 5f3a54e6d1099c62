import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IIoK8sApiCoreV1SecurityContext } from 'kubernetes-models/v1/SecurityContext';

// The checks of the Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// baseline and restricted, written out so a test can hold the pod template to them without a
// cluster. Where the admission controller treats an unset field as allowed, so does this.

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
type ContainerLike = Pick<IIoK8sApiCoreV1Container, 'name' | 'ports' | 'securityContext'>;

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/**
 * Lists every way a pod template breaks the Pod Security Standards `restricted` profile
 * (which includes `baseline`); empty when it passes.
 */
export function restrictedProfileViolations(template: IIoK8sApiCoreV1PodTemplateSpec): string[] {
  const violations: string[] = [];
  const spec = template.spec;
  if (!spec) return ['pod template has no spec'];
  const pod = spec.securityContext ?? {};
  const containers: { kind: string; c: ContainerLike }[] = [
    ...spec.containers.map((c) => ({ kind: 'container', c })),
    ...(spec.initContainers ?? []).map((c) => ({ kind: 'initContainer', c })),
    ...(spec.ephemeralContainers ?? []).map((c) => ({ kind: 'ephemeralContainer', c })),
  ];
  const add = (rule: string, detail: string) => violations.push(`${rule}: ${detail}`);

  // baseline: HostProcess
  if (pod.windowsOptions?.hostProcess === true)
    add('hostProcess', 'pod sets windowsOptions.hostProcess');
  // baseline: host namespaces
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) add('host namespaces', `pod sets ${field}: true`);
  }
  // baseline: hostPath volumes; restricted: only the listed volume types
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    if (types.includes('hostPath')) add('hostPath volumes', `volume ${volume.name} is a hostPath`);
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type)) {
        add('volume types', `volume ${volume.name} has type ${type}`);
      }
    }
  }
  // baseline: sysctls
  for (const sysctl of pod.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) add('sysctls', `${sysctl.name} is not a safe sysctl`);
  }
  // baseline: AppArmor (field and the older annotations)
  const appArmorOk = (type: string | undefined) =>
    type === undefined || type === 'RuntimeDefault' || type === 'Localhost';
  if (!appArmorOk(pod.appArmorProfile?.type))
    add('AppArmor', `pod profile ${String(pod.appArmorProfile?.type)}`);
  for (const [key, value] of Object.entries(template.metadata?.annotations ?? {})) {
    if (
      key.startsWith(APPARMOR_ANNOTATION) &&
      value !== 'runtime/default' &&
      !value.startsWith('localhost/')
    ) {
      add('AppArmor', `annotation ${key}: ${value}`);
    }
  }
  // baseline: SELinux
  const seLinuxProblems = (
    options: IIoK8sApiCoreV1SecurityContext['seLinuxOptions'],
    who: string,
  ) => {
    if (!options) return;
    if (options.type !== undefined && !SELINUX_TYPES.has(options.type))
      add('SELinux', `${who} sets type ${options.type}`);
    if (options.user) add('SELinux', `${who} sets user`);
    if (options.role) add('SELinux', `${who} sets role`);
  };
  seLinuxProblems(pod.seLinuxOptions, 'pod');
  // baseline + restricted: seccomp must be RuntimeDefault or Localhost, on the pod or every container
  const seccompOk = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp !== undefined && !seccompOk(podSeccomp))
    add('seccomp', `pod profile ${podSeccomp}`);
  // restricted: run as non-root, on the pod or every container; never uid 0
  if (pod.runAsUser === 0) add('runAsUser', 'pod runs as uid 0');

  for (const { kind, c } of containers) {
    const who = `${kind} ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.windowsOptions?.hostProcess === true)
      add('hostProcess', `${who} sets windowsOptions.hostProcess`);
    if (sc.privileged === true) add('privileged', `${who} is privileged`);
    for (const port of c.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0)
        add('host ports', `${who} uses hostPort ${port.hostPort}`);
    }
    if (!appArmorOk(sc.appArmorProfile?.type))
      add('AppArmor', `${who} profile ${String(sc.appArmorProfile?.type)}`);
    seLinuxProblems(sc.seLinuxOptions, who);
    if (sc.procMount !== undefined && sc.procMount !== 'Default')
      add('procMount', `${who} uses procMount ${sc.procMount}`);

    const seccomp = sc.seccompProfile?.type;
    if (seccomp !== undefined && !seccompOk(seccomp)) add('seccomp', `${who} profile ${seccomp}`);
    if (seccomp === undefined && !seccompOk(podSeccomp)) {
      add('seccomp', `${who} has no RuntimeDefault or Localhost profile, and neither has the pod`);
    }
    if (sc.allowPrivilegeEscalation !== false)
      add('allowPrivilegeEscalation', `${who} must set it to false`);
    if (sc.runAsNonRoot === false) add('runAsNonRoot', `${who} sets runAsNonRoot: false`);
    if (sc.runAsNonRoot === undefined && pod.runAsNonRoot !== true) {
      add('runAsNonRoot', `${who} does not set runAsNonRoot: true, and neither does the pod`);
    }
    if (sc.runAsUser === 0) add('runAsUser', `${who} runs as uid 0`);
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) add('capabilities', `${who} must drop ALL`);
    for (const cap of caps.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') add('capabilities', `${who} adds ${cap}`);
    }
  }
  return violations;
}
