import { UTC_TIMESTAMP } from './api-schemas.js';
import type { Json } from './document-json.js';

/** GET /fleet's JSON (src/fleet/fleet.types.ts), as components.schemas entries. */
export const FLEET_SCHEMAS: Record<string, Json> = {
  FleetPod: {
    type: 'object',
    description: 'One pod of the fleet.',
    required: ['pod', 'count', 'self', 'ready'],
    properties: {
      pod: {
        type: ['string', 'null'],
        description: 'Its pod name, as it reported it; null for an address that never answered.',
      },
      address: {
        type: 'string',
        description: '`host:port` it was asked at; absent for the pod that answered this request.',
      },
      count: {
        type: ['integer', 'null'],
        minimum: 0,
        description: 'Its count when it answered; null when it did not answer (never a made-up 0).',
      },
      self: { type: 'boolean', description: 'Whether this pod answered the request.' },
      ready: {
        type: ['boolean', 'null'],
        description:
          'Whether it takes visits (its `visits-ready` header); false when it did not answer, null when it answered without saying.',
      },
      error: { type: 'string', description: 'Why it has no count.' },
    },
    additionalProperties: false,
  },
  FleetSource: {
    description: 'Where the list of pods came from.',
    oneOf: [
      {
        type: 'object',
        required: ['via', 'name'],
        properties: {
          via: { const: 'dns' },
          name: { type: 'string', description: 'FLEET_DNS.' },
          error: { type: 'string', description: 'Why DNS gave no answer.' },
        },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['via', 'peers'],
        properties: {
          via: { const: 'peers' },
          peers: { type: 'array', items: { type: 'string' }, description: 'FLEET_PEERS.' },
        },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['via', 'note'],
        properties: { via: { const: 'none' }, note: { type: 'string' } },
        additionalProperties: false,
      },
    ],
  },
  Fleet: {
    type: 'object',
    description: 'Every pod of the set and its count, each a snapshot taken when it was asked.',
    required: ['pods', 'total', 'complete', 'source', 'askedAt'],
    properties: {
      pods: {
        type: 'array',
        items: { $ref: '#/components/schemas/FleetPod' },
        description: 'Sorted by name and ordinal, addresses without a name last.',
      },
      total: { type: 'integer', minimum: 0, description: 'The sum of the counts answered.' },
      complete: {
        type: 'boolean',
        description: 'True when the pods were found and every one answered.',
      },
      source: { $ref: '#/components/schemas/FleetSource' },
      askedAt: { ...UTC_TIMESTAMP, description: 'When the peers were asked (UTC).' },
    },
    additionalProperties: false,
  },
};
