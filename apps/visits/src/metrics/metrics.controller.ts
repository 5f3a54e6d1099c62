import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { METRIC_NAMES, METRICS_PATH } from '@stateful-visits/visits-contract';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@Controller()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get(METRICS_PATH)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'metrics', summary: 'Prometheus metrics' })
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4.',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example: `# HELP ${METRIC_NAMES.visitsRecorded} Visits this process recorded (acknowledged after they reached the disk).\n# TYPE ${METRIC_NAMES.visitsRecorded} counter\n${METRIC_NAMES.visitsRecorded} 42\n`,
      },
    },
  })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
