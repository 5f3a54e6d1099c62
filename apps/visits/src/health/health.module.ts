import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StoreModule } from '../store/store.module.js';
import { HealthProbes } from './health-probes.js';
import { VisitStoreHealthIndicator } from './visit-store.health.js';

/** The probes, for the ops port (src/ops); no routes of its own on the service port. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }), StoreModule],
  providers: [VisitStoreHealthIndicator, HealthProbes],
  exports: [HealthProbes],
})
export class HealthModule {}
