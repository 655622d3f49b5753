import { Module } from '@nestjs/common';
import { AssociationsModule } from '../associations/associations.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsMetrics } from './contacts.metrics.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';
import { RecordMatchingStore } from '../database/record-matching-store.js';

@Module({
  imports: [MetricsModule, AssociationsModule],
  controllers: [ContactsController],
  providers: [ContactsService, ContactsRepository, ContactsMetrics, RecordMatchingStore],
  exports: [ContactsService],
})
export class ContactsModule {}
