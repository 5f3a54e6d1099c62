import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  StoreState,
  TRANSITIONS,
  type StoreStatus,
  type StoreTrigger,
} from './store-state.js';
import { spyLogger } from './testing/store-fixture.js';

/** A machine brought to `status` along the table's own transitions. */
function machineIn(status: StoreStatus, logger = spyLogger()): StoreState {
  const paths: Record<StoreStatus, StoreTrigger[]> = {
    opening: [],
    open: ['opened'],
    degraded: ['opened', 'unwritable'],
    failed: ['opened', 'writeFailed'],
    closing: ['opened', 'close'],
    closed: ['opened', 'close', 'drained'],
  };
  const sut = new StoreState(logger);
  for (const trigger of paths[status]) sut.fire(trigger, 'why');
  expect(sut.status).toBe(status);
  return sut;
}

const states = Object.keys(TRANSITIONS) as StoreStatus[];
const triggers: StoreTrigger[] = [
  'opened',
  'openFailed',
  'written',
  'unwritable',
  'writeFailed',
  'close',
  'drained',
];

describe('StoreState', () => {
  it('starts opening and follows the table for every accepted trigger', () => {
    expect(new StoreState(spyLogger()).status).toBe('opening');
    for (const from of states) {
      for (const [trigger, to] of Object.entries(TRANSITIONS[from])) {
        expect(machineIn(from).fire(trigger as StoreTrigger, 'why'), `${from} + ${trigger}`).toBe(
          to,
        );
      }
    }
  });

  it('refuses a trigger its state does not list: throws, logs, and stays where it was', () => {
    for (const from of states) {
      for (const trigger of triggers.filter((t) => !(t in TRANSITIONS[from]))) {
        const logger = spyLogger();
        const sut = machineIn(from, logger);
        expect(() => sut.fire(trigger)).toThrow(IllegalTransitionError);
        expect(() => sut.fire(trigger)).toThrow(`cannot take "${trigger}" while ${from}`);
        expect(sut.status).toBe(from);
        expect(logger.error).toHaveBeenCalledWith(
          expect.objectContaining({ from, trigger }),
          'illegal visit store transition',
        );
      }
    }
  });

  it('never leaves closing for open or degraded, and nothing leaves closed', () => {
    expect(Object.values(TRANSITIONS.closing)).not.toContain('open');
    expect(Object.values(TRANSITIONS.closing)).not.toContain('degraded');
    expect(TRANSITIONS.closed).toEqual({});
  });

  it('keeps a reason only while degraded or failed', () => {
    const sut = machineIn('open');
    sut.fire('unwritable', 'no space left');
    expect(sut.health()).toEqual({ status: 'degraded', reason: 'no space left' });
    sut.fire('unwritable', 'permission denied');
    expect(sut.health()).toEqual({ status: 'degraded', reason: 'permission denied' });
    sut.fire('written');
    expect(sut.health()).toEqual({ status: 'open' });

    sut.fire('writeFailed', 'an I/O error');
    sut.fire('close');
    expect(sut.health()).toEqual({ status: 'failed', reason: 'an I/O error' });
    sut.fire('drained');
    expect(sut.health()).toEqual({ status: 'closed' });
  });

  it('is drawn exactly, one line per trigger, in docs/architecture.md', () => {
    const page = readFileSync(new URL('../../../../docs/architecture.md', import.meta.url), 'utf8');
    const section = page.split(/^## /m).find((s) => s.startsWith("The store's states"));
    const diagram = /```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/.exec(section ?? '')?.[1] ?? '';
    const drawn = [...diagram.matchAll(/^\s*(\w+) --> (\w+): (\w+)/gm)].map(
      ([, from, to, trigger]) => `${from} --${trigger}--> ${to}`,
    );
    const table = states.flatMap((from) =>
      Object.entries(TRANSITIONS[from]).map(([trigger, to]) => `${from} --${trigger}--> ${to}`),
    );
    expect(drawn.sort()).toEqual(table.sort());
  });
});
