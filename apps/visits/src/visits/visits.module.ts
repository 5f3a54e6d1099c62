import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module.js';
import { StoreModule } from '../store/store.module.js';
import { VisitsController } from './visits.controller.js';
import { VisitsService } from './visits.service.js';

@Module({
  imports: [StoreModule, FleetModule],
  controllers: [VisitsController],
  providers: [VisitsService],
})
export class VisitsModule {}
