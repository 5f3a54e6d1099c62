import { Module } from '@nestjs/common';
import { VisitStore } from '../store/visit-store.js';
import { VisitStoreCloser, visitStoreProvider } from './visit-store.provider.js';
import { VisitsController } from './visits.controller.js';
import { VisitsService } from './visits.service.js';

@Module({
  controllers: [VisitsController],
  providers: [visitStoreProvider, VisitStoreCloser, VisitsService],
  exports: [VisitStore],
})
export class VisitsModule {}
