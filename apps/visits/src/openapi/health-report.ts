import { ApiProperty, ApiSchema, type ApiPropertyOptions } from '@nestjs/swagger';

const indicators = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
} satisfies ApiPropertyOptions;

/** What terminus answers on a probe route: each check by name, up or down, and why. */
@ApiSchema({
  name: 'HealthReport',
  description:
    'A probe answer (terminus): every check by name in `details`, the passing ones again in `info`, the failing ones in `error` with the reason.',
})
export class HealthReportDto {
  @ApiProperty({ type: 'string', enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  readonly status!: string;

  @ApiProperty({ ...indicators, description: 'The checks that passed.' })
  readonly info!: object;

  @ApiProperty({ ...indicators, description: 'The checks that failed, each with its reason.' })
  readonly error!: object;

  @ApiProperty({ ...indicators, description: 'Every check.' })
  readonly details!: object;
}

/** A report with these checks, all up or, for `down`, the named ones down. */
export function healthExample(
  up: Record<string, object>,
  down: Record<string, object> = {},
): object {
  const details = { ...up, ...down };
  return {
    status: Object.keys(down).length === 0 ? 'ok' : 'error',
    info: up,
    error: down,
    details,
  };
}
