import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { VisitsModule } from '../visits/visits.module.js';
import { HealthController } from './health.controller.js';
import { VisitStoreHealthIndicator } from './visit-store.health.js';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }), VisitsModule],
  controllers: [HealthController],
  providers: [VisitStoreHealthIndicator],
})
export class HealthModule {}
