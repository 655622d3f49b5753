import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import type { Logger } from 'pino';
import { AdminGuard } from './http/admin.guard.js';
import { ConnectionDrainer } from './http/connection-drainer.js';
import { ErrorFilter } from './errors/error.filter.js';
import { ROOT_LOGGER } from './http/logging.js';
import { RateLimits } from './http/rate-limit.js';
import { createValidationPipe } from './http/validation.js';
import { AssociationsModule } from './associations/associations.module.js';
import { CompaniesModule } from './companies/companies.module.js';
import { AppConfig } from './config/app-config.js';
import { ActivitiesModule } from './activities/activities.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RecordsModule } from './records/records.module.js';
import { TasksModule } from './tasks/tasks.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule,
        MetricsModule,
        HealthModule,
        UsersModule,
        ContactsModule,
        CompaniesModule,
        AssociationsModule,
        ActivitiesModule,
        TasksModule,
        RecordsModule,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_GUARD, useClass: AdminGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        ConnectionDrainer,
        RateLimits,
      ],
      exports: [AppConfig, ROOT_LOGGER],
    };
  }
}
