import { Module } from '@nestjs/common';
import { StoreModule } from '../store/store.module.js';
import { FleetController } from './fleet.controller.js';
import { FleetService } from './fleet.service.js';

/** GET /fleet, and the fleet for the visit page. */
@Module({
  imports: [StoreModule],
  controllers: [FleetController],
  providers: [FleetService],
  exports: [FleetService],
})
export class FleetModule {}
