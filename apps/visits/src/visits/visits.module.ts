import { Module } from '@nestjs/common';
import { StoreModule } from '../store/store.module.js';
import { VisitsController } from './visits.controller.js';
import { VisitsService } from './visits.service.js';

@Module({
  imports: [StoreModule],
  controllers: [VisitsController],
  providers: [VisitsService],
})
export class VisitsModule {}
