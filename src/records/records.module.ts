import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { ActivitiesModule } from '../activities/activities.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { UsersModule } from '../users/users.module.js';
import { RecordViews } from './record-views.js';
import { RecordsController } from './records.controller.js';
import { RecordsService } from './records.service.js';

@Module({
  imports: [ContactsModule, CompaniesModule, UsersModule, ActivitiesModule, TasksModule],
  controllers: [RecordsController],
  providers: [RecordsService, RecordViews],
})
export class RecordsModule {}
