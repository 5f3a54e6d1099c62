import type { IIoK8sApiCoreV1PodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { describe, expect, it } from 'vitest';
import { podTemplate } from '../../test/support.js';
import { restrictedProfileViolations } from './pod-security.js';

type Template = IIoK8sApiCoreV1PodTemplateSpec;
type WithSpec = Template & { spec: NonNullable<Template['spec']> };
/** Breaks one rule in a copy of the visits pod template. */
type Change = (t: WithSpec) => void;

function mutated(change: Change) {
  const template = structuredClone(podTemplate()) as WithSpec;
  change(template);
  return template;
}

function firstContainer(t: Template) {
  const c = t.spec?.containers[0];
  if (!c) throw new Error('no container');
  return c;
}

/** A change that adds `fields` to the pod's securityContext. */
const podSecurity =
  (fields: NonNullable<WithSpec['spec']['securityContext']>): Change =>
  (t) => {
    t.spec.securityContext = { ...t.spec.securityContext, ...fields };
  };

/** A change that adds `fields` to the first container's securityContext. */
const containerSecurity =
  (fields: NonNullable<ReturnType<typeof firstContainer>['securityContext']>): Change =>
  (t) => {
    const c = firstContainer(t);
    c.securityContext = { ...c.securityContext, ...fields };
  };

describe('restrictedProfileViolations', () => {
  it('finds nothing wrong with the visits pod template, whatever the props', () => {
    expect(restrictedProfileViolations(podTemplate())).toEqual([]);
    expect(
      restrictedProfileViolations(podTemplate({ preStopSleepSeconds: 0, port: 8080 })),
    ).toEqual([]);
  });

  // Each case breaks one rule of the baseline or restricted profile; the check must notice.
  const cases: [string, Change, RegExp][] = [
    ['host network', (t) => (t.spec.hostNetwork = true), /^host namespaces: pod sets hostNetwork/],
    ['host PID', (t) => (t.spec.hostPID = true), /^host namespaces: pod sets hostPID/],
    ['host IPC', (t) => (t.spec.hostIPC = true), /^host namespaces: pod sets hostIPC/],
    [
      'a privileged container',
      containerSecurity({ privileged: true }),
      /^privileged: container visits/,
    ],
    [
      'a hostPath volume',
      (t) => t.spec.volumes?.push({ name: 'host', hostPath: { path: '/var' } }),
      /^hostPath volumes: volume host/,
    ],
    [
      'a volume type outside the restricted list',
      (t) => t.spec.volumes?.push({ name: 'nfs', nfs: { server: 'nfs', path: '/' } }),
      /^volume types: volume nfs has type nfs/,
    ],
    [
      'a host port',
      (t) => firstContainer(t).ports?.push({ containerPort: 9000, hostPort: 9000 }),
      /^host ports: container visits uses hostPort 9000/,
    ],
    [
      'privilege escalation left unset',
      (t) => delete firstContainer(t).securityContext?.allowPrivilegeEscalation,
      /^allowPrivilegeEscalation: container visits must set it to false/,
    ],
    [
      'runAsNonRoot missing on pod and container',
      (t) => {
        delete t.spec.securityContext?.runAsNonRoot;
        delete firstContainer(t).securityContext?.runAsNonRoot;
      },
      /^runAsNonRoot: container visits does not set runAsNonRoot: true, and neither does the pod/,
    ],
    [
      'runAsNonRoot false on a container',
      containerSecurity({ runAsNonRoot: false }),
      /^runAsNonRoot: container visits sets runAsNonRoot: false/,
    ],
    ['uid 0', podSecurity({ runAsUser: 0 }), /^runAsUser: pod runs as uid 0/],
    [
      'no seccomp profile anywhere',
      (t) => delete t.spec.securityContext?.seccompProfile,
      /^seccomp: container visits has no RuntimeDefault or Localhost profile/,
    ],
    [
      'an Unconfined seccomp profile',
      containerSecurity({ seccompProfile: { type: 'Unconfined' } }),
      /^seccomp: container visits profile Unconfined/,
    ],
    [
      'capabilities not dropped',
      (t) => delete firstContainer(t).securityContext?.capabilities,
      /^capabilities: container visits must drop ALL/,
    ],
    [
      'an added capability other than NET_BIND_SERVICE',
      containerSecurity({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }),
      /^capabilities: container visits adds NET_ADMIN/,
    ],
    [
      'an unsafe sysctl',
      podSecurity({ sysctls: [{ name: 'kernel.msgmax', value: '1' }] }),
      /^sysctls: kernel\.msgmax/,
    ],
    [
      'an unconfined AppArmor profile',
      podSecurity({ appArmorProfile: { type: 'Unconfined' } }),
      /^AppArmor: pod profile Unconfined/,
    ],
    [
      'an unconfined AppArmor annotation',
      (t) =>
        (t.metadata = {
          ...t.metadata,
          annotations: { 'container.apparmor.security.beta.kubernetes.io/visits': 'unconfined' },
        }),
      /^AppArmor: annotation/,
    ],
    [
      'a custom SELinux user',
      podSecurity({ seLinuxOptions: { user: 'root' } }),
      /^SELinux: pod sets user/,
    ],
    [
      'an unmasked /proc',
      containerSecurity({ procMount: 'Unmasked' }),
      /^procMount: container visits uses procMount Unmasked/,
    ],
    [
      'a HostProcess container',
      podSecurity({ windowsOptions: { hostProcess: true } }),
      /^hostProcess: pod/,
    ],
    [
      'an init container without the container rules',
      (t) => (t.spec.initContainers = [{ name: 'init', image: 'busybox' }]),
      /^allowPrivilegeEscalation: initContainer init/,
    ],
  ];

  it.each(cases)('reports %s', (_name, change, expected) => {
    const violations = restrictedProfileViolations(mutated(change));
    expect(
      violations.some((v) => expected.test(v)),
      violations.join('\n'),
    ).toBe(true);
  });
});
