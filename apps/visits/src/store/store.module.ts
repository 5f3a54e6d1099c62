import { Module } from '@nestjs/common';
import { VisitStoreCloser, visitStoreProvider } from './visit-store.provider.js';
import { VisitStore } from './visit-store.js';

/** The one VisitStore of the app, for every feature that reads or writes visits. */
@Module({
  providers: [visitStoreProvider, VisitStoreCloser],
  exports: [VisitStore],
})
export class StoreModule {}
