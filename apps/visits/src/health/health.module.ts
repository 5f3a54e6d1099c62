import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StoreModule } from '../store/store.module.js';
import { HealthController } from './health.controller.js';
import { VisitStoreHealthIndicator } from './visit-store.health.js';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }), StoreModule],
  controllers: [HealthController],
  providers: [VisitStoreHealthIndicator],
})
export class HealthModule {}
